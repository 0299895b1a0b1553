const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Account and key ids are uuids: anything else is refused before it reaches a uuid column (a 500 otherwise). */
export function isUuid(id: string): boolean {
  return UUID.test(id);
}
