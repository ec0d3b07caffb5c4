import type { QuestionnaireDefinition, Visibility } from '../questionnaires';

/** How long after its deadline a supplier's link still opens (to read its submission and answer clarifications). */
export const INVITATION_GRACE_MS = 30 * 24 * 60 * 60 * 1000;

export function invitationExpiry({ deadline, deadlineOverride }: { deadline: Date; deadlineOverride: Date | null }): Date {
  const effective = deadlineOverride && deadlineOverride > deadline ? deadlineOverride : deadline;
  return new Date(effective.getTime() + INVITATION_GRACE_MS);
}

export type SupplierQuestion = {
  key: string;
  ref: string | null;
  text: string;
  guidance: string;
  type: string;
  required: boolean;
  options: Array<{ value: string; label: string }> | null;
  limits: Record<string, number | boolean | string> | null;
  evidence: { requested: boolean; mandatory: boolean; description: string | null } | null;
};

export type SupplierSection = { key: string; ref: string | null; title: string; description: string | null; questions: SupplierQuestion[] };

/**
 * The questionnaire as one supplier sees it: visible sections and questions only, and nothing of
 * how answers are marked (option scores, gateways, descriptors are for the published methodology).
 */
export function supplierView({ definition, visibility }: { definition: QuestionnaireDefinition; visibility: Visibility }): SupplierSection[] {
  const visible = new Set(visibility.visibleQuestions);
  const required = new Set(visibility.requiredQuestions);
  return definition.sections
    .map((section) => ({
      key: section.key,
      ref: section.ref ?? null,
      title: section.title,
      description: section.description ?? null,
      questions: section.questions
        .filter((q) => visible.has(q.key))
        .map((q) => ({
          key: q.key,
          ref: q.ref ?? null,
          text: q.text,
          guidance: q.guidance,
          type: q.type,
          required: required.has(q.key),
          options: q.options ? q.options.map((o) => ({ value: o.value, label: o.label })) : null,
          limits: q.limits ?? null,
          evidence: q.evidence ? { requested: q.evidence.requested, mandatory: q.evidence.mandatory, description: q.evidence.description ?? null } : null,
        })),
    }))
    .filter((section) => section.questions.length > 0);
}
