/**
 * Framing of the Postgres frontend protocol (v3), just enough to serve one
 * embedded database session to many connections: split a byte stream into whole
 * messages and tell where a client's request ends.
 *
 * https://www.postgresql.org/docs/current/protocol-message-formats.html
 */

/** The first message of a connection has no type byte; its code says what it is. */
export const PROTOCOL_V3 = 196_608
export const SSL_REQUEST = 80_877_103
export const GSSENC_REQUEST = 80_877_104
export const CANCEL_REQUEST = 80_877_102

/** The largest message accepted; node-postgres' own default limit is far below this. */
export const MAX_MESSAGE_BYTES = 256 * 1024 * 1024

export interface FrontendMessage {
  /** The type byte as a character ('P', 'B', 'S', 'Q' …); '' for a startup-phase message. */
  type: string
  /** The whole message as sent, type byte and length included. */
  bytes: Uint8Array
  /** For a startup-phase message: its code (PROTOCOL_V3, SSL_REQUEST …). */
  code?: number
}

/**
 * Accumulates a connection's bytes and yields whole messages, however TCP splits
 * or joins them. Throws on a length no client sends (a hostile or corrupt stream).
 */
export class MessageReader {
  private buffer: Buffer = Buffer.alloc(0)
  private startupDone = false

  push(chunk: Buffer): FrontendMessage[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk])
    const messages: FrontendMessage[] = []
    for (;;) {
      const message = this.startupDone ? this.readTyped() : this.readStartup()
      if (!message) return messages
      messages.push(message)
    }
  }

  private readStartup(): FrontendMessage | undefined {
    if (this.buffer.length < 8) return undefined
    const length = this.buffer.readInt32BE(0)
    if (length < 8 || length > 10_000) throw new Error(`startup message of ${length} bytes`)
    if (this.buffer.length < length) return undefined
    const code = this.buffer.readInt32BE(4)
    // SSL and GSS encryption requests precede the real startup message.
    if (code === PROTOCOL_V3 || code === CANCEL_REQUEST) this.startupDone = true
    return { type: '', code, bytes: this.take(length) }
  }

  private readTyped(): FrontendMessage | undefined {
    if (this.buffer.length < 5) return undefined
    const length = this.buffer.readInt32BE(1)
    if (length < 4 || length > MAX_MESSAGE_BYTES) throw new Error(`message of ${length} bytes`)
    if (this.buffer.length < length + 1) return undefined
    const type = String.fromCharCode(this.buffer[0]!)
    return { type, bytes: this.take(length + 1) }
  }

  private take(length: number): Uint8Array {
    const bytes = new Uint8Array(this.buffer.subarray(0, length))
    this.buffer = this.buffer.subarray(length)
    return bytes
  }
}

/**
 * A request is complete when the server will answer ReadyForQuery: after a Sync
 * (the end of an extended-protocol sequence: Parse, Bind, Describe, Execute …) or
 * a simple Query. Until then the session holds state for this connection only
 * (the unnamed statement and portal, an error that skips to the next Sync).
 */
export function endsRequest(message: FrontendMessage): boolean {
  return message.type === 'S' || message.type === 'Q'
}

/** A Sync message, sent for a connection that vanished in the middle of a sequence. */
export const SYNC_MESSAGE = new Uint8Array([0x53, 0, 0, 0, 4])
