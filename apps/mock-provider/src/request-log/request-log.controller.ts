import { Controller, Delete, Get, HttpCode } from '@nestjs/common';
import { RequestLogService } from './request-log.service';

@Controller('mock/requests')
export class RequestLogController {
  constructor(private readonly requestLog: RequestLogService) {}

  @Get()
  list() {
    return { data: this.requestLog.list() };
  }

  @Delete()
  @HttpCode(204)
  clear(): void {
    this.requestLog.clear();
  }
}
