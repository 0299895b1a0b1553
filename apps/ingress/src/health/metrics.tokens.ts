/** The service-wide registry token of libs/observability, under the name ingress's files import. */
export { METRICS_REGISTRY } from '@tokenflow/observability';
