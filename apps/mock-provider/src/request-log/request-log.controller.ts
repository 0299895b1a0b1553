import { Controller, Delete, Get, HttpCode } from '@nestjs/common';
import { FailureScriptService } from '../directives/failure-script.service';
import { RequestLogService } from './request-log.service';

@Controller('mock/requests')
export class RequestLogController {
  constructor(
    private readonly requestLog: RequestLogService,
    private readonly failureScripts: FailureScriptService,
  ) {}

  @Get()
  list() {
    return { data: this.requestLog.list() };
  }

  @Delete()
  @HttpCode(204)
  clear(): void {
    // A test's reset also restarts the `fail-first=`/`fail-rate=` scripts, so it replays from the seed.
    this.requestLog.clear();
    this.failureScripts.clear();
  }
}
