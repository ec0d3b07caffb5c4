export { AppError, isAppError, notFound, validationFailed, type FieldProblem } from './app-error';
export { problemResponses, problemSchema, PROBLEM_CONTENT_TYPE, type Problem } from './problem';
export { isDatabaseUnavailable, registerErrorHandling, sendProblem } from './error-handler';
export { frameworkErrorHandlers, registerFrameworkRefusals, segmentTooLongToRoute } from './framework-errors';
export { errorCodesOf, sortedCodes, PLATFORM_ERROR_CODES, type ErrorCodeEntry, type ErrorFactories } from './catalogue';
