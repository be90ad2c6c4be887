// A stand-in for a kafkajs consumer: records the calls made on it and lets a test emit the group-join and crash
// events kafkajs would.
import { EventEmitter } from 'node:events';

const EVENTS = { GROUP_JOIN: 'consumer.group_join', CRASH: 'consumer.crash' } as const;

export class FakeConsumer {
  readonly events = EVENTS;
  readonly emitter = new EventEmitter();
  readonly calls: string[] = [];
  running = false;

  on(event: string, listener: (e: unknown) => void): void {
    this.emitter.on(event, listener);
  }
  async connect(): Promise<void> {
    this.calls.push('connect');
  }
  async subscribe(): Promise<void> {
    this.calls.push('subscribe');
  }
  async run(): Promise<void> {
    this.calls.push('run');
    this.running = true;
  }
  async disconnect(): Promise<void> {
    this.calls.push('disconnect');
    this.running = false;
  }
  async commitOffsets(): Promise<void> {
    this.calls.push('commit');
  }
  pause(): void {
    this.calls.push('pause');
  }
  resume(): void {
    this.calls.push('resume');
  }
  join(): void {
    this.emitter.emit(EVENTS.GROUP_JOIN, { payload: {} });
  }
  crash(restart: boolean): void {
    const error = new Error('broken for good');
    error.name = 'KafkaJSNonRetriableError';
    this.emitter.emit(EVENTS.CRASH, { payload: { error, groupId: 'g', restart } });
  }
}
