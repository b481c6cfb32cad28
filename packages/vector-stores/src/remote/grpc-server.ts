import * as grpc from '@grpc/grpc-js'

/** A gRPC error the protocol servers answer with: a status code and the message the real store would give. */
export class GrpcError extends Error {
  constructor(readonly code: grpc.status, message: string) {
    super(message)
  }
}

/** A unary handler: the decoded request and the call's metadata in, the reply out (or a `GrpcError`). */
export type UnaryHandler = (request: never, metadata: grpc.Metadata) => unknown

/** A unary grpc-js handler around an async function: what it returns is the reply, what it throws the status (a `GrpcError`'s code, else INTERNAL). */
export function unary(handler: UnaryHandler): grpc.handleUnaryCall<unknown, unknown> {
  return (call, callback) => {
    Promise.resolve()
      .then(() => handler(call.request as never, call.metadata))
      .then((reply) => callback(null, reply as never), (error: unknown) => {
        const failure = error instanceof GrpcError ? error : new GrpcError(grpc.status.INTERNAL, String(error))
        callback({ code: failure.code, details: failure.message, metadata: new grpc.Metadata() } as grpc.ServiceError, null)
      })
  }
}

/** Binds a grpc-js server to a free loopback port. */
export async function listen(server: grpc.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) => (error ? reject(error) : resolve(port)))
  })
}

/** Stops a grpc-js server, ending calls in flight (the clients' channels may still be open). */
export function shutdown(server: grpc.Server): Promise<void> {
  return new Promise((resolve) => {
    server.tryShutdown(() => resolve())
    setTimeout(() => {
      server.forceShutdown()
      resolve()
    }, 1000).unref()
  })
}
