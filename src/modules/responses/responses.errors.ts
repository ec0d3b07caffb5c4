import { AppError, notFound } from '../../platform/errors';

export const responsesErrors = {
  invitationNotFound: () => notFound({ code: 'invitations.not_found', what: 'Invitation' }),
  procurementNotFound: () => notFound({ code: 'procurements.not_found', what: 'Procurement' }),
  procurementNotInviting: (status: string) =>
    new AppError({ status: 409, code: 'invitations.procurement_not_open', title: 'Suppliers cannot be invited now', detail: `The procurement is ${status}; invite suppliers while it is a draft or open.` }),
  invitationRevoked: () => new AppError({ status: 409, code: 'invitations.revoked', title: 'This invitation was revoked', detail: 'Invite the supplier again instead.' }),
};
