import type * as A from './adapter.contract';
import type * as B from './billing.contract';
import type * as R from './router.contract';
import type * as L from './ratelimit.contract';
import type * as H from './health.contract';
import type { UsageRecordedEvent } from './usage.contract';
import type * as Q from './request-log.contract';
import type * as RS from './responses.contract';

/** Every NATS subject, versioned `tf.<service>.<action>.v<n>`. No subject string appears anywhere else. */
export const Subjects = {
  billingAuth: 'tf.billing.auth.v1',
  billingHold: 'tf.billing.hold.v1',
  billingHoldReleaseNow: 'tf.billing.hold-release-now.v1',
  billingAccountCreate: 'tf.billing.account-create.v1',
  billingAccountGet: 'tf.billing.account-get.v1',
  billingAccountCredit: 'tf.billing.account-credit.v1',
  billingAccountAdjust: 'tf.billing.account-adjust.v1',
  billingLedgerVerify: 'tf.billing.ledger-verify.v1',
  billingUsageReport: 'tf.billing.usage-report.v1',
  billingKeyInfo: 'tf.billing.key-info.v1',
  billingKeyCreate: 'tf.billing.key-create.v1',
  billingKeyRevoke: 'tf.billing.key-revoke.v1',
  billingKeyUpdate: 'tf.billing.key-update.v1',
  billingAccountUpdate: 'tf.billing.account-update.v1',
  billingAccountChanged: 'tf.billing.account-changed.v1',
  billingKeyChanged: 'tf.billing.key-changed.v1',
  billingPricesChanged: 'tf.billing.prices-changed.v1',
  billingPriceGet: 'tf.billing.price-get.v1',
  billingPriceSet: 'tf.billing.price-set.v1',
  /** Average answer length per model and `auto` task category over recent days, from billing's rollup of the ledger. */
  billingOutputStats: 'tf.billing.output-stats.v1',
  /** Settlement's backlog, oldest unsettled event and parked events (the ingress's settlement metrics ask it). */
  billingSettlementLag: 'tf.billing.settlement-lag.v1',
  /** Admin: usage-stream events settlement parked (`billing.parked_usage`), and replaying them. */
  billingParkedList: 'tf.billing.parked-list.v1',
  billingParkedReplay: 'tf.billing.parked-replay.v1',
  /** Admin: the request log (`billing.request_log`), newest first with filters and a cursor, and one entry. */
  billingRequestsList: 'tf.billing.requests-list.v1',
  billingRequestGet: 'tf.billing.request-get.v1',
  /** Stored Responses API responses (`store: true`), per account: save, read, the chain a continuation builds on, delete. */
  billingResponseStore: 'tf.billing.response-store.v1',
  billingResponseGet: 'tf.billing.response-get.v1',
  billingResponseContext: 'tf.billing.response-context.v1',
  billingResponseInputItems: 'tf.billing.response-input-items.v1',
  billingResponseDelete: 'tf.billing.response-delete.v1',
  billingResponseItems: 'tf.billing.response-items.v1',

  routerPlan: 'tf.router.plan.v1',
  routerModelsList: 'tf.router.models-list.v1',
  routerModelGet: 'tf.router.model-get.v1',
  routerChannelCreate: 'tf.router.channel-create.v1',
  routerChannelList: 'tf.router.channel-list.v1',
  routerChannelGet: 'tf.router.channel-get.v1',
  routerChannelUpdate: 'tf.router.channel-update.v1',
  routerChannelDelete: 'tf.router.channel-delete.v1',
  routerChannelsChanged: 'tf.router.channels-changed.v1',
  /** An upstream refused a channel key (bad credentials, out of credit): the router benches that key. */
  routerKeyFailed: 'tf.router.key-failed.v1',
  /**
   * The adapter resolves an attempt's `keyRef` to the upstream key. The only subject that carries upstream keys:
   * in production only the router (serving) and the provider-adapter (asking) may use it (NATS permissions).
   */
  routerChannelKeys: 'tf.router.channel-keys.v1',
  /** Admin: one probe per key of a channel. */
  routerChannelTest: 'tf.router.channel-test.v1',
  /** A key's or channel's breaker changed state; every router replica applies it. */
  routerHealthChanged: 'tf.router.health-changed.v1',
  routerCatalogList: 'tf.router.catalog-list.v1',
  routerCatalogUpdate: 'tf.router.catalog-update.v1',
  routerPriorsList: 'tf.router.priors-list.v1',
  routerPriorUpdate: 'tf.router.prior-update.v1',

  ratelimitAcquire: 'tf.ratelimit.acquire.v1',
  ratelimitRelease: 'tf.ratelimit.release.v1',
  ratelimitUpstreamAcquire: 'tf.ratelimit.upstream-acquire.v1',
  ratelimitUpstreamSettle: 'tf.ratelimit.upstream-settle.v1',

  adapterInvoke: 'tf.adapter.invoke.v1',
  /** Suffixed with the request id: `tf.adapter.cancel.v1.<requestId>`. */
  adapterCancel: 'tf.adapter.cancel.v1',
  /** Every adapter replica's attempt statistics per channel key, each report interval (all router replicas listen). */
  adapterHealthReport: 'tf.adapter.health-report.v1',
  /** One minimal upstream request on one key (breaker probes, the admin channel test). */
  adapterProbe: 'tf.adapter.probe.v1',

  usageRecorded: 'tf.usage.recorded.v1',
  billingHoldRelease: 'tf.billing.hold-release.v1',
  billingHoldsPlaced: 'tf.billing.holds-placed.v1',
  /** One finished `/v1` request (answered or refused), for the request log: ingress publishes, billing stores. */
  requestLogged: 'tf.requests.logged.v1',
} as const;

type S = typeof Subjects;

/** Request/reply subjects: what is sent and what comes back. */
export interface RequestMap {
  [Subjects.billingAuth]: { req: B.AuthRequest; res: B.AuthReply };
  [Subjects.billingHold]: { req: B.HoldRequest; res: B.HoldReply };
  [Subjects.billingHoldReleaseNow]: { req: B.HoldReleaseEvent; res: { released: boolean } };
  [Subjects.billingAccountCreate]: { req: B.AccountCreateRequest; res: B.AccountView };
  [Subjects.billingAccountGet]: { req: B.AccountGetRequest; res: B.AccountView };
  [Subjects.billingAccountCredit]: { req: B.AccountCreditRequest; res: B.AccountCreditReply };
  [Subjects.billingAccountAdjust]: { req: B.AccountAdjustRequest; res: B.AccountCreditReply };
  [Subjects.billingLedgerVerify]: { req: Record<string, never>; res: B.LedgerVerifyReply };
  [Subjects.billingUsageReport]: { req: B.UsageReportRequest; res: B.UsageReportReply };
  [Subjects.billingKeyInfo]: { req: B.KeyInfoRequest; res: B.KeyInfoReply };
  [Subjects.billingKeyCreate]: { req: B.KeyCreateRequest; res: B.KeyCreateReply };
  [Subjects.billingKeyRevoke]: { req: B.KeyRevokeRequest; res: B.KeyRevokeReply };
  [Subjects.billingKeyUpdate]: { req: B.KeyUpdateRequest; res: B.KeyView };
  [Subjects.billingAccountUpdate]: { req: B.AccountUpdateRequest; res: B.AccountView };
  [Subjects.billingPriceGet]: { req: B.PriceGetRequest; res: B.PriceView };
  [Subjects.billingPriceSet]: { req: B.PriceSetRequest; res: B.PriceView };
  [Subjects.billingOutputStats]: { req: Record<string, never>; res: B.OutputStatsReply };
  [Subjects.billingSettlementLag]: { req: Record<string, never>; res: B.SettlementLagReply };
  [Subjects.billingParkedList]: { req: B.ParkedUsageListRequest; res: B.ParkedUsageListReply };
  [Subjects.billingParkedReplay]: { req: B.ParkedUsageReplayRequest; res: B.ParkedUsageReplayReply };
  [Subjects.billingRequestsList]: { req: Q.RequestLogListRequest; res: Q.RequestLogListReply };
  [Subjects.billingRequestGet]: { req: Q.RequestLogGetRequest; res: Q.RequestLogView };
  [Subjects.billingResponseStore]: { req: RS.ResponseStoreRequest | RS.ResponseCarried; res: { stored: true } };
  [Subjects.billingResponseGet]: { req: RS.ResponseRef; res: RS.ResponseJsonReply | RS.ResponseCarried };
  [Subjects.billingResponseContext]: { req: RS.ResponseRef; res: RS.ResponseContextReply | RS.ResponseCarried };
  [Subjects.billingResponseInputItems]: { req: RS.ResponseInputItemsRequest; res: RS.ResponseInputItemsReply | RS.ResponseCarried };
  [Subjects.billingResponseDelete]: { req: RS.ResponseRef; res: RS.ResponseDeleteReply };
  [Subjects.billingResponseItems]: { req: RS.ResponseItemsRequest; res: RS.ResponseItemsReply | RS.ResponseCarried };
  [Subjects.routerPlan]: { req: R.PlanRequest; res: R.PlanReply };
  [Subjects.routerModelsList]: { req: R.ModelsListRequest; res: R.ModelsListReply };
  [Subjects.routerModelGet]: { req: R.ModelGetRequest; res: R.ModelCard };
  [Subjects.routerChannelCreate]: { req: R.ChannelInput; res: R.ChannelView };
  [Subjects.routerChannelList]: { req: Record<string, never>; res: R.ChannelListReply };
  [Subjects.routerChannelGet]: { req: R.ChannelIdRequest; res: R.ChannelView };
  [Subjects.routerChannelUpdate]: { req: R.ChannelUpdateRequest; res: R.ChannelView };
  [Subjects.routerChannelDelete]: { req: R.ChannelIdRequest; res: R.ChannelDeleteReply };
  [Subjects.routerChannelKeys]: { req: R.ChannelKeysRequest; res: R.ChannelKeysReply };
  [Subjects.routerChannelTest]: { req: H.ChannelTestRequest; res: H.ChannelTestReply };
  [Subjects.routerCatalogList]: { req: Record<string, never>; res: R.CatalogListReply };
  [Subjects.routerCatalogUpdate]: { req: R.CatalogUpdateRequest; res: R.CatalogModelView };
  [Subjects.routerPriorsList]: { req: Record<string, never>; res: { object: 'list'; data: R.CategoryPriorView[] } };
  [Subjects.routerPriorUpdate]: { req: R.CategoryPriorUpdateRequest; res: R.CategoryPriorView };
  [Subjects.adapterProbe]: { req: H.ProbeRequest; res: H.ProbeReply };
  [Subjects.ratelimitAcquire]: { req: L.RateLimitAcquireRequest; res: L.RateLimitAcquireReply };
  [Subjects.ratelimitUpstreamAcquire]: { req: L.UpstreamAcquireRequest; res: { granted: true } };
  [Subjects.adapterInvoke]: { req: A.InvokeRequest; res: A.InvokeAck };
}

/** Fire-and-forget broadcasts over core NATS (every subscriber gets each one). */
export interface EventMap {
  [Subjects.billingKeyChanged]: B.KeyChangedEvent;
  [Subjects.billingAccountChanged]: B.AccountChangedEvent;
  [Subjects.billingPricesChanged]: B.PricesChangedEvent;
  [Subjects.routerChannelsChanged]: R.ChannelsChangedEvent;
  [Subjects.routerKeyFailed]: R.KeyFailedEvent;
  [Subjects.routerHealthChanged]: H.HealthChangedEvent;
  [Subjects.adapterHealthReport]: H.HealthReport;
  [Subjects.adapterCancel]: A.CancelEvent;
  [Subjects.ratelimitRelease]: L.RateLimitReleaseEvent;
  [Subjects.ratelimitUpstreamSettle]: L.UpstreamSettleEvent;
}

/** Durable events on JetStream. */
export interface DurableEventMap {
  [Subjects.usageRecorded]: UsageRecordedEvent;
  [Subjects.billingHoldRelease]: B.HoldReleaseEvent;
  [Subjects.billingHoldsPlaced]: B.HoldsPlacedEvent;
  [Subjects.requestLogged]: Q.RequestLoggedEvent;
}

export type RequestSubject = keyof RequestMap;
export type EventSubject = keyof EventMap;
export type DurableSubject = keyof DurableEventMap;
export type SubjectName = S[keyof S];
