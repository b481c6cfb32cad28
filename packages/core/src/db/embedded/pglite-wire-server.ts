import { createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import type { PGlite } from '@electric-sql/pglite'
import { SessionLock } from './session-lock'
import { CANCEL_REQUEST, GSSENC_REQUEST, MessageReader, SSL_REQUEST, SYNC_MESSAGE, endsRequest, type FrontendMessage } from './wire-messages'

export interface WireServerOptions {
  host?: string
  port?: number
  /**
   * A connection that holds the session inside a transaction (or in the middle of
   * an extended-protocol sequence) and sends nothing for this long is closed and
   * its transaction rolled back, so one stuck client cannot stop every other.
   * Postgres' own `idle_in_transaction_session_timeout`, for a shared session.
   */
  idleHoldTimeoutMs?: number
  maxConnections?: number
}

/**
 * Serves one PGlite database to many Postgres clients over the wire protocol, with
 * each request atomic.
 *
 * PGlite is a single Postgres session. Several connections can share it safely
 * only if no connection's request is interleaved with another's: an
 * extended-protocol sequence (Parse, Bind, Describe, Execute, Sync) keeps its
 * unnamed statement and portal in the session, and a transaction keeps its
 * snapshot there. So a connection holds the session (SessionLock) from the first
 * message of a request to the ReadyForQuery that ends it, and for the whole of a
 * transaction; the others wait their turn in order. Messages are framed here, so
 * a sequence split across TCP reads, or several requests in one read, change
 * nothing. (`@electric-sql/pglite-socket` 0.2 queued each message separately and
 * let other connections' messages in between: SQLSTATE 34000 and rows answered
 * for the wrong query under 10 concurrent requests.)
 */
export class PGliteWireServer {
  private server: Server | undefined
  private readonly connections = new Set<WireConnection>()
  readonly lock = new SessionLock<WireConnection>()
  readonly idleHoldTimeoutMs: number
  private readonly maxConnections: number

  constructor(
    readonly db: PGlite,
    private readonly options: WireServerOptions = {},
  ) {
    this.idleHoldTimeoutMs = options.idleHoldTimeoutMs ?? 30_000
    this.maxConnections = options.maxConnections ?? 100
  }

  async start(): Promise<{ host: string; port: number }> {
    await this.db.waitReady
    const server = createServer((socket) => this.accept(socket))
    this.server = server
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => resolve())
    })
    const address = server.address() as AddressInfo
    return { host: address.address, port: address.port }
  }

  async stop(): Promise<void> {
    for (const connection of this.connections) connection.socket.destroy()
    const server = this.server
    this.server = undefined
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()))
    // Let the connections' close handlers hand back the session before PGlite closes.
    await Promise.all([...this.connections].map((connection) => connection.closed))
  }

  get connectionCount(): number {
    return this.connections.size
  }

  private accept(socket: Socket): void {
    if (this.connections.size >= this.maxConnections) {
      socket.end(errorResponse('53300', `sorry, too many clients already (${this.maxConnections})`))
      return
    }
    const connection = new WireConnection(this, socket)
    this.connections.add(connection)
    void connection.closed.then(() => this.connections.delete(connection))
  }
}

class WireConnection {
  private readonly reader = new MessageReader()
  /** Messages are handled strictly in order, one batch after another. */
  private work: Promise<void> = Promise.resolve()
  /** True between the first message of a request and the Sync or Query that ends it. */
  private midRequest = false
  private idleTimer: NodeJS.Timeout | undefined
  private ended = false
  readonly closed: Promise<void>

  constructor(
    private readonly server: PGliteWireServer,
    readonly socket: Socket,
  ) {
    socket.setNoDelay(true)
    socket.on('data', (chunk: Buffer) => this.receive(chunk))
    socket.on('error', () => socket.destroy())
    this.closed = new Promise((resolve) => {
      socket.once('close', () => {
        this.ended = true
        this.work = this.work.then(() => this.abandon()).then(resolve, resolve)
      })
    })
  }

  private receive(chunk: Buffer): void {
    let messages: FrontendMessage[]
    try {
      messages = this.reader.push(chunk)
    } catch (error) {
      this.hangUp('08P01', `invalid message: ${(error as Error).message}`)
      return
    }
    if (messages.length > 0) this.work = this.work.then(() => this.handle(messages)).catch(() => void this.socket.destroy())
  }

  private async handle(messages: FrontendMessage[]): Promise<void> {
    let pending: FrontendMessage[] = []
    for (const message of messages) {
      if (this.ended) return
      if (message.type === '') {
        if (message.code === SSL_REQUEST || message.code === GSSENC_REQUEST) {
          this.socket.write('N') // no encryption on loopback
        } else if (message.code === CANCEL_REQUEST) {
          this.socket.end() // cancelling a running query is not supported
          return
        } else {
          await this.execute([message], false)
        }
        continue
      }
      if (message.type === 'X') {
        this.socket.end()
        return
      }
      pending.push(message)
      if (endsRequest(message)) {
        await this.execute(pending, false)
        pending = []
      }
    }
    // The rest of a request whose Sync has not arrived yet: run it, keep the session.
    if (pending.length > 0 && !this.ended) await this.execute(pending, true)
  }

  /** Runs whole messages on the session, holding it until the session is idle again. */
  private async execute(messages: FrontendMessage[], midRequest: boolean): Promise<void> {
    const { lock, db } = this.server
    this.clearIdleTimer()
    await lock.acquire(this)
    if (this.ended) return // closed while waiting: abandon() hands the session on
    this.midRequest = midRequest
    const bytes = messages.length === 1 ? messages[0]!.bytes : Buffer.concat(messages.map((message) => message.bytes))
    const output = await db.runExclusive(() => db.execProtocolRaw(bytes, { syncToFs: !midRequest }))
    if (output.length > 0 && !this.socket.destroyed) this.socket.write(output)
    if (!midRequest && !db.isInTransaction()) lock.release(this)
    else this.startIdleTimer()
  }

  /** The connection closed: leave the session as a new client would find it. */
  private async abandon(): Promise<void> {
    this.clearIdleTimer()
    const { lock, db } = this.server
    lock.forget(this)
    if (lock.owner !== this) return
    try {
      await db.runExclusive(async () => {
        if (this.midRequest) await db.execProtocolRaw(SYNC_MESSAGE)
        if (db.isInTransaction()) await db.execProtocolRaw(queryMessage('ROLLBACK'))
      })
    } finally {
      lock.release(this)
    }
  }

  /** Tells the client why (a FATAL error), then closes at once: the close hands the session on. */
  private hangUp(code: string, text: string): void {
    this.socket.end(errorResponse(code, text), () => this.socket.destroy())
    setTimeout(() => this.socket.destroy(), 100).unref()
  }

  private startIdleTimer(): void {
    this.idleTimer = setTimeout(() => {
      this.hangUp('25P03', `terminating connection: it held the embedded database idle for ${this.server.idleHoldTimeoutMs} ms`)
    }, this.server.idleHoldTimeoutMs)
    this.idleTimer.unref()
  }

  private clearIdleTimer(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer)
    this.idleTimer = undefined
  }
}

/** A simple Query message. */
function queryMessage(text: string): Uint8Array {
  const body = Buffer.concat([Buffer.from(text, 'utf8'), Buffer.from([0])])
  const header = Buffer.alloc(5)
  header.write('Q', 0)
  header.writeInt32BE(body.length + 4, 1)
  return new Uint8Array(Buffer.concat([header, body]))
}

/** An ErrorResponse message (severity, SQLSTATE, text), what a server sends before it hangs up. */
function errorResponse(code: string, text: string): Buffer {
  const fields = Buffer.concat([field('S', 'FATAL'), field('V', 'FATAL'), field('C', code), field('M', text), Buffer.from([0])])
  const header = Buffer.alloc(5)
  header.write('E', 0)
  header.writeInt32BE(fields.length + 4, 1)
  return Buffer.concat([header, fields])
}

function field(type: string, value: string): Buffer {
  return Buffer.concat([Buffer.from(type), Buffer.from(value, 'utf8'), Buffer.from([0])])
}
