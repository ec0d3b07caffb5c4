export { AppError, isAppError, notFound, validationFailed, type FieldProblem } from './app-error';
export { problemSchema, PROBLEM_CONTENT_TYPE, type Problem } from './problem';
export { registerErrorHandling, sendProblem } from './error-handler';
export { frameworkErrorHandlers } from './framework-errors';
