/** Where a command prints: the terminal, or a buffer in tests. `isTTY` decides between live progress bars and plain lines. */
export interface Output {
  write(text: string): void
  /** Errors and usage: stderr on a terminal. */
  error(text: string): void
  isTTY: boolean
}

export const stdoutOutput: Output = {
  write: (text) => void process.stdout.write(text),
  error: (text) => void process.stderr.write(text),
  isTTY: Boolean(process.stdout.isTTY),
}
