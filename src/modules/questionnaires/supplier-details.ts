/**
 * The questions whose answers give the supplier's identity, which an assessment summary must carry
 * (Procurement Regulations 2024, reg. 31(2)(a) to (c)): its legal name, postal address and unique
 * identifier on the Central Digital Platform. The definition format has no marker for them, and a
 * published built-in version cannot gain one, so the built-in bank's keys are named here; a
 * council's copy of the bank keeps its keys, so it is found the same way. The first key answered wins.
 */
export const SUPPLIER_DETAIL_QUESTIONS = {
  legalName: ['viability.legal_name'],
  postalAddress: ['viability.registered_address'],
  identifier: ['viability.cdp_identifier'],
} as const satisfies Record<string, readonly string[]>;

export type SupplierDetail = keyof typeof SUPPLIER_DETAIL_QUESTIONS;
