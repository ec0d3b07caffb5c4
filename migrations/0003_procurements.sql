CREATE TABLE "procurements" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organisation_id" uuid NOT NULL,
	"title" text NOT NULL,
	"reference" text,
	"description" text DEFAULT '' NOT NULL,
	"questionnaire_id" uuid NOT NULL,
	"triage" jsonb NOT NULL,
	"risk_tier" text NOT NULL,
	"risk_tier_reason" text NOT NULL,
	"weights" jsonb NOT NULL,
	"deadline" timestamp (3) with time zone NOT NULL,
	"status" text NOT NULL,
	"evaluator_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"moderator_id" uuid,
	"version" integer DEFAULT 1 NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	"updated_at" timestamp (3) with time zone NOT NULL,
	"opened_at" timestamp (3) with time zone,
	"closed_at" timestamp (3) with time zone,
	"cancelled_at" timestamp (3) with time zone,
	CONSTRAINT "procurements_organisation_reference" UNIQUE("organisation_id","reference")
);
--> statement-breakpoint
ALTER TABLE "procurements" ADD CONSTRAINT "procurements_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "procurements" ADD CONSTRAINT "procurements_questionnaire_id_questionnaires_id_fk" FOREIGN KEY ("questionnaire_id") REFERENCES "public"."questionnaires"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "procurements_list" ON "procurements" USING btree ("organisation_id","created_at","id");