export {
  startMockAnthropic,
  type MockAnthropic,
  type MockAnthropicOptions,
  type MockHandler,
  type RecordedRequest,
} from './mock-anthropic';
export {
  reply,
  type MockBlock,
  type MockFault,
  type MockRawEvent,
  type MockRawReply,
  type MockReply,
  type MockStopReason,
} from './replies';
export { minimumCacheableTokens, type CacheWrite } from './prompt-cache';
