export { queueMail, transactionWithMail, createOutboxMailer, createSmtpMailer, redact, REDACTED, type Mailer, type MailMessage, type QueuedMail } from './mail';
export { registerOutboxApi } from './mail.api';
export { registerOutboxPages, type OutboxPagesDeps } from './mail.pages';
export { outbox } from './mail.table';
