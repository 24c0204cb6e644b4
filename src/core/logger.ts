/**
 * A small structured logger that scrubs secrets: every configured secret value
 * is replaced by «redacted» before a line is written, whatever field it hides in.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export function createRedactor(secrets: readonly (string | undefined)[]): (text: string) => string {
  const values = secrets.filter((s): s is string => typeof s === 'string' && s.length >= 4);
  return (text) => values.reduce((out, s) => out.split(s).join('«redacted»'), text);
}

export function createLogger(opts: { level: LogLevel; secrets?: readonly (string | undefined)[]; write?: (line: string) => void }): Logger {
  const redact = createRedactor(opts.secrets ?? []);
  const write = opts.write ?? ((line: string) => console.error(line));
  const log = (level: LogLevel) => (msg: string, fields?: Record<string, unknown>) => {
    if (order[level] < order[opts.level]) return;
    const extra = fields ? ` ${JSON.stringify(fields, errorReplacer)}` : '';
    write(redact(`${new Date().toISOString()} ${level.toUpperCase()} ${msg}${extra}`));
  };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

function errorReplacer(_key: string, value: unknown) {
  return value instanceof Error ? { name: value.name, message: value.message } : value;
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
