export { createMockProviderApp, type MockProviderApp, type MockProviderAppOptions } from './mock-provider.app';
export { INVALID_API_KEY } from './http/api-key';
export { MOCK_MODELS } from './meta/models.controller';
