export { AppError, isAppError, notFound, type FieldProblem } from './app-error';
export { problemSchema, PROBLEM_CONTENT_TYPE, type Problem } from './problem';
export { registerErrorHandling, sendProblem } from './error-handler';
