/**
 * The fields of the Algorithmic Transparency Recording Standard (ATRS) template, version 3.0, as a
 * typed constant: what a question's `atrsField` may name, and what a draft record lists.
 *
 * Source: the ATRS template v3.0 published by the Central Digital and Data Office / DSIT
 * ("Algorithmic Transparency Recording Standard v3.0 for browser"),
 * https://docs.google.com/spreadsheets/d/1mZbQoT4RkE84RMx-ENTcPM22DOWLcQy-Vwga18Bieyk/edit ,
 * with the completion guidance at
 * https://www.gov.uk/government/publications/guidance-for-organisations-using-the-algorithmic-transparency-recording-standard
 * (field numbers changed between versions, so fields are keyed by name, not number). Labels and
 * descriptions here are in our own words. The template has a metadata section, tier 1 (one section,
 * for the general public) and tier 2 (five sections, for specialists); the repeatable blocks of tier 2
 * (models, datasets) are listed once.
 *
 * Here, not in reports: an imported questionnaire's `atrsField` is checked against this list
 * (questionnaires.validation.ts), and the questionnaires module depends on platform only.
 */

export const ATRS_TEMPLATE = {
  name: 'Algorithmic Transparency Recording Standard',
  version: '3.0',
  url: 'https://docs.google.com/spreadsheets/d/1mZbQoT4RkE84RMx-ENTcPM22DOWLcQy-Vwga18Bieyk/edit',
  guidance: 'https://www.gov.uk/government/publications/guidance-for-organisations-using-the-algorithmic-transparency-recording-standard',
} as const;

export const ATRS_SECTIONS = [
  { id: 'metadata', tier: 'metadata', title: 'Metadata and title information' },
  { id: 'tier1', tier: 'tier1', title: 'Tier 1: overview' },
  { id: 'tier2.owner_and_responsibility', tier: 'tier2', title: 'Owner and responsibility' },
  { id: 'tier2.description_and_rationale', tier: 'tier2', title: 'Description and rationale' },
  { id: 'tier2.decision_making_process', tier: 'tier2', title: 'Decision-making process' },
  { id: 'tier2.tool_specification', tier: 'tier2', title: 'Tool specification' },
  { id: 'tier2.risks_mitigations_impact_assessments', tier: 'tier2', title: 'Risks, mitigations and impact assessments' },
] as const;

export type AtrsSectionId = (typeof ATRS_SECTIONS)[number]['id'];
export type AtrsTier = (typeof ATRS_SECTIONS)[number]['tier'];

/**
 * What the service itself knows for a field, besides the supplier's answers: the council's name, the
 * supplier's name and company number from its invitation, that an outside supplier is involved (the
 * tool is being bought), and the template version.
 */
export type AtrsKnownFact = 'council_name' | 'supplier_name' | 'company_number' | 'external_supplier' | 'template_version';

export type AtrsField = {
  /** The path a question's `atrsField` names, e.g. `tier2.decision_making_process.appeals_and_review`. */
  id: string;
  section: AtrsSectionId;
  label: string;
  /** What the field holds, in one line. */
  description: string;
  known?: AtrsKnownFact;
};

const field = (section: AtrsSectionId, name: string | null, label: string, description: string, known?: AtrsKnownFact): AtrsField => ({
  id: name === null ? section : `${section}.${name}`,
  section,
  label,
  description,
  ...(known ? { known } : {}),
});

const META = 'metadata';
const T1 = 'tier1';
const OWNER = 'tier2.owner_and_responsibility';
const RATIONALE = 'tier2.description_and_rationale';
const DECISION = 'tier2.decision_making_process';
const TOOL = 'tier2.tool_specification';
const RISKS = 'tier2.risks_mitigations_impact_assessments';

/**
 * Every field, in the template's order. Where the question bank points an answer at a whole block
 * (the models, the data specification, the risks section) the block has a field of its own, with the
 * block's path, that gathers those answers; the council then spreads them over the block's fields.
 */
export const ATRS_FIELDS: readonly AtrsField[] = [
  field(META, 'title', 'Record title', 'The title the record is published under.'),
  field(META, 'organisation', 'Organisation', 'The public body that uses the tool and publishes the record.', 'council_name'),
  field(META, 'organisation_type', 'Organisation type', 'The kind of body, such as a local authority, for filtering the published records.'),
  field(META, 'function', 'Function', 'The area of public service the tool is used in, such as housing, social care or revenues.'),
  field(META, 'capability', 'Capability', 'What kinds of thing the tool does: for example language processing, computer vision, forecasting or content creation.'),
  field(META, 'task', 'Task', 'The task the tool performs, in a few words.'),
  field(META, 'phase', 'Phase', 'Where the organisation’s own use of the tool stands: pre-deployment, beta or pilot, production, or retired.'),
  field(META, 'region', 'Region', 'The parts of the UK where the tool is used.'),
  field(META, 'date_published', 'Date published', 'When the record is first published.'),
  field(META, 'atrs_version', 'ATRS version', 'The version of the standard the record follows.', 'template_version'),

  field(T1, 'name', 'Name', 'The everyday name of the tool.'),
  field(T1, 'description', 'Description', 'In plain words for the public: what the tool does, how it is used in the decision process, the problem it addresses and why it is used.'),
  field(T1, 'website', 'Website', 'A page where people can find out more about the tool.'),
  field(T1, 'contact_email', 'Contact email', 'Where people can ask about the tool, with any way to ask offline.'),

  field(OWNER, 'organisation', 'Organisation', 'The body accountable for using the tool.', 'council_name'),
  field(OWNER, 'team', 'Team', 'The team responsible for the tool.'),
  field(OWNER, 'senior_responsible_owner', 'Senior responsible owner', 'The role of the person accountable for the tool.'),
  field(OWNER, 'external_supplier', 'External supplier involvement', 'Whether an outside supplier developed or provides the tool.', 'external_supplier'),
  field(OWNER, 'supplier', 'Supplier', 'The name of each outside company involved.', 'supplier_name'),
  field(OWNER, 'companies_house_number', 'Companies House number', 'The supplier’s company registration number.', 'company_number'),
  field(OWNER, 'supplier_role', 'Supplier role', 'What the supplier provides, and who else (sub-processors, model providers) takes part.'),
  field(OWNER, 'procurement_procedure_type', 'Procurement procedure type', 'How the tool was bought: for example an open procedure, a framework call-off or a direct award.'),
  field(OWNER, 'data_access_terms', 'Data access terms', 'The terms on which the supplier may access, use or keep the organisation’s data.'),

  field(RATIONALE, 'detailed_description', 'Detailed description', 'A fuller account than tier 1 of how the tool works and what it is used for.'),
  field(RATIONALE, 'scope', 'Scope', 'What the tool is designed and tested for, and what it must not be used for.'),
  field(RATIONALE, 'benefits', 'Benefits', 'The benefits the tool is expected to bring, or has brought.'),
  field(RATIONALE, 'previous_process', 'Previous process', 'How the task was done before the tool.'),
  field(RATIONALE, 'alternatives_considered', 'Alternatives considered', 'Other ways of meeting the need, including without an algorithmic tool, and why they were not chosen.'),

  field(DECISION, 'process_integration', 'Process integration', 'Where the tool sits in the wider decision process.'),
  field(DECISION, 'provided_information', 'Provided information', 'What the tool gives the people who make the decision, and in what form.'),
  field(DECISION, 'frequency_and_scale_of_usage', 'Frequency and scale of usage', 'How often the tool is used and how many people or cases it affects.'),
  field(DECISION, 'human_decisions_and_review', 'Human decisions and review', 'What people decide, how they review the tool’s outputs and when they can override them.'),
  field(DECISION, 'required_training', 'Required training', 'The training staff need to use the tool or check its outputs.'),
  field(DECISION, 'appeals_and_review', 'Appeals and review', 'How people affected can challenge an outcome or ask for it to be reviewed.'),

  field(TOOL, 'system_architecture', 'System architecture', 'The parts of the system and how data flows between them.'),
  field(TOOL, 'phase', 'Tool phase', 'How far the tool itself is developed: pre-deployment, beta or pilot, production, or retired.'),
  field(TOOL, 'maintenance', 'Maintenance', 'How the tool is monitored, reviewed and updated, and how changes are made known.'),
  field(TOOL, 'models', 'Models', 'Each model the tool uses, with its provider and version; one entry per model in the published record.'),
  field(TOOL, 'models.model_name', 'Model name', 'The name of a model.'),
  field(TOOL, 'models.model_version', 'Model version', 'The version of a model.'),
  field(TOOL, 'models.model_task', 'Model task', 'What a model is used to do within the tool.'),
  field(TOOL, 'models.model_input', 'Model input', 'What a model takes in.'),
  field(TOOL, 'models.model_output', 'Model output', 'What a model produces.'),
  field(TOOL, 'models.model_architecture', 'Model architecture', 'The kind of model, such as a decision tree or a large language model.'),
  field(TOOL, 'models.model_performance', 'Model performance', 'How well a model performs, with the measures used and the data it was tested on.'),
  field(TOOL, 'models.datasets', 'Datasets', 'The datasets a model was trained or tested on.'),
  field(TOOL, 'models.dataset_purposes', 'Dataset purposes', 'What each dataset was used for: training, validation or testing.'),
  field(TOOL, 'data_specification', 'Data specification', 'Where the data used to build and run the tool comes from, and the right to use it; one entry per dataset in the published record.'),
  field(TOOL, 'data_specification.source_data_name', 'Source data name', 'The name of a dataset.'),
  field(TOOL, 'data_specification.data_modality', 'Data modality', 'The kind of data: text, images, tables, audio.'),
  field(TOOL, 'data_specification.data_description', 'Data description', 'What a dataset contains.'),
  field(TOOL, 'data_specification.data_quantities', 'Data quantities', 'How much data there is.'),
  field(TOOL, 'data_specification.sensitive_attributes', 'Sensitive attributes', 'Personal or special category data the tool uses, and how it is protected.'),
  field(TOOL, 'data_specification.completeness_and_representativeness', 'Completeness and representativeness', 'How complete the data is and how well it represents the people affected, with known gaps.'),
  field(TOOL, 'data_specification.source_data_url', 'Source data URL', 'Where a dataset is published, if it is.'),
  field(TOOL, 'data_specification.data_collection', 'Data collection', 'How and why the data was collected.'),
  field(TOOL, 'data_specification.data_cleaning', 'Data cleaning', 'How the data was cleaned or prepared.'),
  field(TOOL, 'data_specification.data_sharing_agreements', 'Data sharing agreements', 'Agreements under which data is shared.'),
  field(TOOL, 'data_specification.data_access_and_storage', 'Data access and storage', 'Who can access the data, where it is kept and for how long.'),

  field(RISKS, null, 'Risks, mitigations and impact assessments', 'What is known about the tool’s risks, how they are mitigated and which assessments were done; the council turns it into the two fields below.'),
  field(RISKS, 'impact_assessments', 'Impact assessments', 'Each assessment done, such as a data protection or equality impact assessment: its name, what it found, its date and a link.'),
  field(RISKS, 'risks', 'Risks', 'Each risk identified, with its description and how it is mitigated.'),
];

export const ATRS_FIELD_IDS: ReadonlySet<string> = new Set(ATRS_FIELDS.map((f) => f.id));

export const isAtrsField = (id: string): boolean => ATRS_FIELD_IDS.has(id);
