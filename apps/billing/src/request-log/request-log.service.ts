import { Injectable } from '@nestjs/common';
import { type RequestLoggedEvent, type RequestLogListReply, type RequestLogListRequest, type RequestLogView, TfError } from '@tokenflow/contracts';
import { encodeCursor, pageSize } from './request-log-query';
import { RequestLogRepository } from './request-log.repository';
import { requestLogView } from './request-log-view';

/** The request log (decision 0020): what the consumer stores and what the admin API reads. */
@Injectable()
export class RequestLogService {
  constructor(private readonly repo: RequestLogRepository) {}

  /** Idempotent: entries already stored (a redelivery) are skipped. */
  store(events: RequestLoggedEvent[]): Promise<number> {
    return this.repo.insertBatch(events);
  }

  /** Newest first; one more row than the page tells whether there is a next one. */
  async list(q: RequestLogListRequest): Promise<RequestLogListReply> {
    const limit = pageSize(q.limit);
    const rows = await this.repo.list(q, limit + 1);
    const page = rows.slice(0, limit);
    const hasMore = rows.length > limit;
    const last = page.at(-1);
    return {
      object: 'list',
      data: page.map((r) => requestLogView(r, false)),
      has_more: hasMore,
      next_cursor: hasMore && last ? encodeCursor({ atMs: new Date(last.at).getTime(), id: last.id }) : null,
    };
  }

  async get(id: string): Promise<RequestLogView> {
    const row = id.length <= 200 ? await this.repo.get(id) : null;
    if (!row) throw new TfError('not_found', `No request with id '${id}' in the request log.`, { param: 'id' });
    return requestLogView(row, true);
  }
}
