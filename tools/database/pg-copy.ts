/**
 * COPY … TO STDOUT and COPY … FROM STDIN on a node-postgres client, without a streaming
 * package: node-postgres hands any object with `submit` the connection and passes it the
 * server's messages, so a small query object can answer the COPY sub-protocol itself. Data is
 * held in memory, so it suits bounded pieces (a backfill chunk), not whole tables.
 */
import type { ClientBase } from "pg";

/** What node-postgres's connection offers a query object (pg/lib/connection.js). */
interface CopyConnection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
}

export interface CopyResult {
  /** Rows the server reports having copied ("COPY n"). */
  readonly rows: number;
  /** The data COPY … TO STDOUT sent; empty for COPY … FROM STDIN. */
  readonly data: Buffer;
}

class CopyQuery {
  private readonly received: Buffer[] = [];
  private rows = 0;
  private settled = false;

  constructor(
    private readonly text: string,
    private readonly input: Buffer | undefined,
    public callback: (error: Error | null, result?: CopyResult) => void,
  ) {}

  submit(connection: CopyConnection): void {
    connection.query(this.text);
  }

  handleCopyInResponse(connection: CopyConnection): void {
    if (this.input && this.input.length > 0) connection.sendCopyFromChunk(this.input);
    connection.endCopyFrom();
  }

  handleCopyData(message: { chunk: Buffer }): void {
    // A view into the protocol reader's buffer, which it reuses: keep a copy.
    this.received.push(Buffer.from(message.chunk));
  }

  handleCommandComplete(message: { text: string }): void {
    const count = /^COPY (\d+)/.exec(message.text);
    if (count) this.rows = Number(count[1]);
  }

  handleReadyForQuery(): void {
    this.settle(null, { rows: this.rows, data: Buffer.concat(this.received) });
  }

  handleError(error: Error): void {
    this.settle(error);
  }

  // Messages a COPY statement does not send, or whose content it does not need.
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handlePortalSuspended(): void {}
  handleEmptyQuery(): void {}

  private settle(error: Error | null, result?: CopyResult): void {
    if (this.settled) return;
    this.settled = true;
    this.callback(error, result);
  }
}

/** Runs one COPY statement; `input` is the data of a COPY … FROM STDIN. */
export function copy(client: ClientBase, text: string, input?: Buffer): Promise<CopyResult> {
  return new Promise((resolve, reject) => {
    const query = new CopyQuery(text, input, (error, result) =>
      error ? reject(error) : resolve(result as CopyResult),
    );
    // A query object: node-postgres drives it (and its query_timeout still bounds it).
    void client.query(query as unknown as Parameters<ClientBase["query"]>[0]);
  });
}

const ESCAPES: Readonly<Record<string, string>> = {
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
};

/** One field of COPY's text format as its text (null for \N). */
export function unescapeCopyField(field: Buffer): string | null {
  if (field.length === 2 && field[0] === 0x5c && field[1] === 0x4e) return null;
  if (!field.includes(0x5c)) return field.toString("utf8");
  const bytes: number[] = [];
  for (let i = 0; i < field.length; i++) {
    const byte = field[i] ?? 0;
    if (byte !== 0x5c || i + 1 >= field.length) {
      bytes.push(byte);
      continue;
    }
    const next = String.fromCharCode(field[i + 1] ?? 0);
    i += 1;
    const simple = ESCAPES[next];
    if (simple !== undefined) {
      bytes.push(simple.charCodeAt(0));
    } else if (/[0-7]/.test(next)) {
      let digits = next;
      while (digits.length < 3 && /[0-7]/.test(String.fromCharCode(field[i + 1] ?? 0x78))) {
        digits += String.fromCharCode(field[++i] ?? 0);
      }
      bytes.push(parseInt(digits, 8) & 0xff);
    } else if (next === "x" && /[0-9a-f]/i.test(String.fromCharCode(field[i + 1] ?? 0x67))) {
      let digits = "";
      while (digits.length < 2 && /[0-9a-f]/i.test(String.fromCharCode(field[i + 1] ?? 0x67))) {
        digits += String.fromCharCode(field[++i] ?? 0);
      }
      bytes.push(parseInt(digits, 16));
    } else {
      bytes.push(field[i] ?? 0); // any other escaped byte stands for itself, e.g. \\
    }
  }
  return Buffer.from(bytes).toString("utf8");
}

/** The fields at `positions` of the last line of COPY text-format data (empty data: undefined). */
export function lastLineFields(
  data: Buffer,
  positions: readonly number[],
): (string | null)[] | undefined {
  if (data.length === 0) return undefined;
  const end = data[data.length - 1] === 0x0a ? data.length - 1 : data.length;
  const start = data.lastIndexOf(0x0a, end - 1) + 1;
  const fields: Buffer[] = [];
  for (let from = start; ;) {
    const tab = data.indexOf(0x09, from);
    if (tab < 0 || tab >= end) {
      fields.push(data.subarray(from, end));
      break;
    }
    fields.push(data.subarray(from, tab));
    from = tab + 1;
  }
  return positions.map((p) => {
    const field = fields[p];
    return field === undefined ? null : unescapeCopyField(field);
  });
}
