// The shape of the API's implementation: one handler per method, taking the parsed input.
import type { ApiMethodName, ApiOutput, ApiParsed } from '../../shared/api';

export type Handlers = { [M in ApiMethodName]: (input: ApiParsed<M>) => Promise<ApiOutput<M>> | ApiOutput<M> };
export type HandlerGroup<K extends ApiMethodName> = Pick<Handlers, K>;
