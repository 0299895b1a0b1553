import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ChatCompletionsController } from './chat/chat-completions.controller';
import { ChatCompletionsService } from './chat/chat-completions.service';
import { CompletionPlannerService } from './completion/completion-planner.service';
import { DirectiveParserService } from './directives/directive-parser.service';
import { FailureScriptService } from './directives/failure-script.service';
import { EmbeddingsService } from './embeddings/embeddings.service';
import { ProviderExceptionFilter } from './http/provider-exception.filter';
import { HealthController } from './meta/health.controller';
import { ModelsController } from './meta/models.controller';
import { MOCK_PROVIDER_OPTIONS, type MockProviderOptions } from './mock-provider.options';
import { MessagesService } from './providers/anthropic/messages.service';
import { TextCompletionsService } from './providers/openai/text-completions.service';
import { ProviderGate } from './providers/provider.gate';
import { ProviderRoutesController } from './providers/provider-routes.controller';
import { RequestLogController } from './request-log/request-log.controller';
import { RequestLogService } from './request-log/request-log.service';
import { StreamWriterService } from './stream/stream-writer.service';

@Module({})
export class MockProviderModule {
  static forRoot(options: MockProviderOptions): DynamicModule {
    return {
      module: MockProviderModule,
      controllers: [
        ChatCompletionsController,
        ProviderRoutesController,
        ModelsController,
        HealthController,
        RequestLogController,
      ],
      providers: [
        { provide: MOCK_PROVIDER_OPTIONS, useValue: options },
        { provide: APP_FILTER, useClass: ProviderExceptionFilter },
        ChatCompletionsService,
        EmbeddingsService,
        TextCompletionsService,
        MessagesService,
        CompletionPlannerService,
        DirectiveParserService,
        FailureScriptService,
        RequestLogService,
        StreamWriterService,
        ProviderGate,
      ],
    };
  }
}
