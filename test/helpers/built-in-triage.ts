/** A triage of the built-in questionnaire that shows every supplier section (a public-facing generative AI tool using personal data). */
export const BUILT_IN_TRIAGE = {
  'triage.decision_role': 'advisory',
  'triage.access_decisions': 'no',
  'triage.data_categories': ['personal'],
  'triage.public_facing': 'yes',
  'triage.vulnerable_people': 'no',
  'triage.people_affected': 20000,
  'triage.workforce_management': 'no',
  'triage.generative_ai': 'yes',
  'triage.existing_contract': 'no',
};
