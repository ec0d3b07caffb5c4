import { z } from 'zod';
import { APPROVAL_ROLES } from './approvals.models';

export const approvalSchema = z
  .object({
    id: z.uuid(),
    procurementId: z.uuid(),
    userId: z.uuid(),
    name: z.string().describe('The person who signed off, as the council’s user list names them.'),
    role: z.enum(APPROVAL_ROLES),
    comment: z.string().nullable(),
    createdAt: z.iso.datetime().describe('When this person last recorded their approval in this role.'),
  })
  .meta({ id: 'Approval' });

export const approvalsSchema = z.object({ items: z.array(approvalSchema) }).meta({ id: 'Approvals' });

export const approvalBodySchema = z
  .object({
    role: z.enum(APPROVAL_ROLES).describe('The role you sign off in: `evaluator` (an evaluator on the panel), `moderator` (the moderator), or `data_protection_officer`, `equality_lead`, `approver` (an officer or admin).'),
    comment: z.string().trim().max(2000).optional().describe('Optional: anything the board should read beside your sign-off.'),
  })
  .strict();
