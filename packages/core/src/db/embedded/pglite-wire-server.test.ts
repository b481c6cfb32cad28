import { connect } from 'node:net'
import { PGlite } from '@electric-sql/pglite'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PGliteWireServer } from './pglite-wire-server'

describe('PGliteWireServer: one PGlite session shared by many connections', () => {
  let db: PGlite
  let server: PGliteWireServer
  let url: string

  beforeAll(async () => {
    db = await PGlite.create()
    await db.exec('CREATE TABLE items (id int PRIMARY KEY, label text NOT NULL); CREATE TABLE counter (n int NOT NULL); INSERT INTO counter VALUES (0)')
    server = new PGliteWireServer(db, { idleHoldTimeoutMs: 1_000 })
    const { host, port } = await server.start()
    url = `postgresql://postgres@${host}:${port}/postgres`
  })
  afterAll(async () => {
    await server.stop()
    await db.close()
  })

  it('answers each of many concurrent parameterised queries with its own result', async () => {
    const pool = new pg.Pool({ connectionString: url, max: 20 })
    try {
      // Unnamed statements and portals of 20 connections at once: any interleaving
      // of their Parse/Bind/Execute would answer one query with another's row.
      const answers = await Promise.all(
        Array.from({ length: 400 }, (_, i) => pool.query<{ v: number; s: string }>('SELECT $1::int AS v, repeat($2::text, $1::int % 7) AS s', [i, 'x'])),
      )
      answers.forEach((answer, i) => expect(answer.rows).toEqual([{ v: i, s: 'x'.repeat(i % 7) }]))
    } finally {
      await pool.end()
    }
  })

  it('runs transactions whole: concurrent read-modify-write increments lose nothing', async () => {
    const pool = new pg.Pool({ connectionString: url, max: 10 })
    try {
      await Promise.all(
        Array.from({ length: 50 }, async () => {
          const client = await pool.connect()
          try {
            await client.query('BEGIN')
            const { rows } = await client.query<{ n: number }>('SELECT n FROM counter')
            await new Promise((resolve) => setTimeout(resolve, 1))
            await client.query('UPDATE counter SET n = $1', [rows[0]!.n + 1])
            await client.query('COMMIT')
          } finally {
            client.release()
          }
        }),
      )
      expect((await pool.query('SELECT n FROM counter')).rows).toEqual([{ n: 50 }])
    } finally {
      await pool.end()
    }
  })

  it('keeps a request whole however TCP splits it (one byte per write)', async () => {
    const trickle = new TrickleClient(url)
    const pool = new pg.Pool({ connectionString: url, max: 5 })
    try {
      // While one client sends its extended-protocol request a byte at a time,
      // others keep the session busy with their own unnamed statements.
      const noise = Promise.all(Array.from({ length: 100 }, (_, i) => pool.query('SELECT $1::text AS t', [`noise-${i}`])))
      const value = await trickle.selectText('trickled')
      await noise
      expect(value).toBe('trickled')
    } finally {
      trickle.close()
      await pool.end()
    }
  })

  it('rolls back the transaction of a connection that vanished, and serves the others', async () => {
    const victim = new pg.Client({ connectionString: url })
    victim.on('error', () => {})
    await victim.connect()
    await victim.query('BEGIN')
    await victim.query(`INSERT INTO items VALUES (1, 'uncommitted')`)
    // Another connection waits for the transaction; the victim's socket is destroyed.
    const other = new pg.Client({ connectionString: url })
    const started = Date.now()
    const read = other.connect().then(() => other.query('SELECT count(*)::int AS n FROM items'))
    ;(victim as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy()
    expect((await read).rows).toEqual([{ n: 0 }])
    expect(Date.now() - started).toBeLessThan(900) // not the idle timeout
    await other.end()
  })

  it('closes a connection that holds the session idle inside a transaction, so others go on', async () => {
    const idle = new pg.Client({ connectionString: url })
    const idleError = new Promise<Error>((resolve) => idle.on('error', resolve))
    await idle.connect()
    await idle.query('BEGIN')
    await idle.query(`INSERT INTO items VALUES (2, 'never committed')`)
    const other = new pg.Client({ connectionString: url })
    const started = Date.now()
    await other.connect()
    expect((await other.query('SELECT count(*)::int AS n FROM items')).rows).toEqual([{ n: 0 }])
    expect(Date.now() - started).toBeGreaterThanOrEqual(900)
    expect((await idleError).message).toMatch(/held the embedded database idle/)
    await other.end()
  })

  it('refuses a message with an impossible length and stays up', async () => {
    const socket = connect(Number(new URL(url).port), '127.0.0.1')
    await new Promise((resolve) => socket.once('connect', resolve))
    let answer = ''
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')))
    const closed = new Promise((resolve) => socket.once('close', resolve))
    socket.write(Buffer.from([0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0]))
    await closed
    expect(answer).toMatch(/08P01.*invalid message: startup message of 2147483647 bytes/)
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }])
    await client.end()
  })
})

/** A raw protocol client that writes every byte separately: startup, then Parse/Bind/Describe/Execute/Sync. */
class TrickleClient {
  private readonly socket
  private received = Buffer.alloc(0)
  private readonly waiters: (() => void)[] = []

  constructor(url: string) {
    this.socket = connect(Number(new URL(url).port), '127.0.0.1')
    this.socket.setNoDelay(true)
    this.socket.on('data', (chunk: Buffer) => {
      this.received = Buffer.concat([this.received, chunk])
      this.waiters.splice(0).forEach((wake) => wake())
    })
  }

  async selectText(value: string): Promise<string> {
    await new Promise((resolve) => this.socket.once('connect', resolve))
    const params = Buffer.concat([cstr('user'), cstr('postgres'), cstr('database'), cstr('postgres'), Buffer.from([0])])
    const startup = Buffer.alloc(8)
    startup.writeInt32BE(8 + params.length, 0)
    startup.writeInt32BE(196_608, 4)
    await this.trickle(Buffer.concat([startup, params]))
    await this.readUntilReady()
    this.received = Buffer.alloc(0)
    const parse = message('P', Buffer.concat([cstr(''), cstr('SELECT $1::text AS t'), int16(0)]))
    const valueBytes = Buffer.from(value)
    const bind = message('B', Buffer.concat([cstr(''), cstr(''), int16(0), int16(1), int32(valueBytes.length), valueBytes, int16(0)]))
    const execute = message('E', Buffer.concat([cstr(''), int32(0)]))
    await this.trickle(Buffer.concat([parse, bind, execute, message('S', Buffer.alloc(0))]))
    await this.readUntilReady()
    // DataRow: 'D', length, column count, column length, bytes.
    const row = this.received.indexOf('D')
    const length = this.received.readInt32BE(row + 7)
    return this.received.subarray(row + 11, row + 11 + length).toString()
  }

  close(): void {
    this.socket.destroy()
  }

  private async trickle(bytes: Buffer): Promise<void> {
    for (const byte of bytes) {
      this.socket.write(Buffer.from([byte]))
      await new Promise((resolve) => setImmediate(resolve))
    }
  }

  private async readUntilReady(): Promise<void> {
    // ReadyForQuery is 'Z', length 5, status byte: the last message of an answer.
    while (!(this.received.length >= 6 && this.received[this.received.length - 6] === 0x5a)) await new Promise<void>((wake) => this.waiters.push(wake))
  }
}

function message(type: string, body: Buffer): Buffer {
  const header = Buffer.alloc(5)
  header.write(type, 0)
  header.writeInt32BE(body.length + 4, 1)
  return Buffer.concat([header, body])
}
const cstr = (text: string): Buffer => Buffer.concat([Buffer.from(text), Buffer.from([0])])
const int16 = (n: number): Buffer => {
  const b = Buffer.alloc(2)
  b.writeInt16BE(n)
  return b
}
const int32 = (n: number): Buffer => {
  const b = Buffer.alloc(4)
  b.writeInt32BE(n)
  return b
}
