/**
 * The client side of bench/load-classify.ts: autocannon in a process of its own, so
 * that the server process's CPU time is the server's alone. Driven over IPC: each
 * message is an autocannon options object, each answer that run's result.
 */
import autocannon from 'autocannon'

process.on('message', (options: autocannon.Options) => {
  autocannon(options).then((result) => process.send!(result), (error: unknown) => {
    console.error(error)
    process.exit(1)
  })
})
