// Reserved words that are plausible table or column names; quote_ident quotes these too.
// A plain array, not a Set: module-level Sets do not survive Pulumi's closure serialization,
// and the dynamic providers call this through the readiness check.
const RESERVED: readonly string[] =
  "all and any array as asc both case cast check collate column constraint create default desc distinct do else end except false for foreign from grant group having in into is join leading limit not null offset on only or order primary references select table then to trailing true union unique user using when where window with".split(
    " ",
  );

/** Quotes one SQL identifier the way PostgreSQL's quote_ident does. */
export function quoteIdent(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) && !RESERVED.includes(name)
    ? name
    : `"${name.replace(/"/g, '""')}"`;
}

/** Quotes a qualified "schema.table" name (split at the first dot). */
export function quoteTable(qualified: string): string {
  const dot = qualified.indexOf(".");
  if (dot < 0) return quoteIdent(qualified);
  return `${quoteIdent(qualified.slice(0, dot))}.${quoteIdent(qualified.slice(dot + 1))}`;
}

/** A SQL string literal. */
export function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

export function quoteColumns(columns: readonly string[]): string {
  return columns.map(quoteIdent).join(", ");
}
