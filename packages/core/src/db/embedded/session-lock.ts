/**
 * Who may talk to the one embedded database session right now. A connection
 * holds it from the first message of a request until the session is idle again:
 * after its Sync or Query, and after its transaction ends. Waiters are served in
 * arrival order.
 */
export class SessionLock<Owner> {
  private current: Owner | undefined
  private readonly waiters: { owner: Owner; grant: () => void }[] = []

  get owner(): Owner | undefined {
    return this.current
  }

  async acquire(owner: Owner): Promise<void> {
    if (this.current === owner) return
    if (this.current === undefined) {
      this.current = owner
      return
    }
    await new Promise<void>((grant) => this.waiters.push({ owner, grant }))
  }

  release(owner: Owner): void {
    if (this.current !== owner) return
    const next = this.waiters.shift()
    this.current = next?.owner
    next?.grant()
  }

  /** A waiter that went away (its connection closed) no longer queues. */
  forget(owner: Owner): void {
    const index = this.waiters.findIndex((waiter) => waiter.owner === owner)
    if (index >= 0) this.waiters.splice(index, 1)
  }

  get waiting(): number {
    return this.waiters.length
  }
}
