CREATE TABLE "declarations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organisation_id" uuid NOT NULL,
	"procurement_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"has_conflict" boolean NOT NULL,
	"details" text NOT NULL,
	"declared_at" timestamp (3) with time zone NOT NULL,
	"mitigation" text,
	"mitigated_by" text,
	"mitigated_at" timestamp (3) with time zone,
	CONSTRAINT "declarations_procurement_user" UNIQUE("procurement_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "evaluations" (
	"response_id" uuid PRIMARY KEY NOT NULL,
	"organisation_id" uuid NOT NULL,
	"procurement_id" uuid NOT NULL,
	"evaluation" jsonb NOT NULL,
	"inputs_hash" text NOT NULL,
	"overall_score" double precision,
	"rating" text NOT NULL,
	"provisional" boolean NOT NULL,
	"computed_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "gateway_decisions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organisation_id" uuid NOT NULL,
	"response_id" uuid NOT NULL,
	"question_key" text NOT NULL,
	"outcome" text NOT NULL,
	"rationale" text NOT NULL,
	"action" text,
	"due_date" text,
	"decided_by" uuid NOT NULL,
	"updated_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "gateway_decisions_response_question" UNIQUE("response_id","question_key")
);
--> statement-breakpoint
CREATE TABLE "mark_submissions" (
	"organisation_id" uuid NOT NULL,
	"response_id" uuid NOT NULL,
	"evaluator_id" uuid NOT NULL,
	"submitted_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "mark_submissions_response_id_evaluator_id_pk" PRIMARY KEY("response_id","evaluator_id")
);
--> statement-breakpoint
CREATE TABLE "marks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organisation_id" uuid NOT NULL,
	"response_id" uuid NOT NULL,
	"question_key" text NOT NULL,
	"evaluator_id" uuid NOT NULL,
	"score" integer NOT NULL,
	"justification" text NOT NULL,
	"updated_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "marks_response_question_evaluator" UNIQUE("response_id","question_key","evaluator_id")
);
--> statement-breakpoint
CREATE TABLE "moderations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organisation_id" uuid NOT NULL,
	"response_id" uuid NOT NULL,
	"question_key" text NOT NULL,
	"score" integer NOT NULL,
	"rationale" text NOT NULL,
	"moderator_id" uuid NOT NULL,
	"updated_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "moderations_response_question" UNIQUE("response_id","question_key")
);
--> statement-breakpoint
CREATE TABLE "procurement_decisions" (
	"procurement_id" uuid PRIMARY KEY NOT NULL,
	"organisation_id" uuid NOT NULL,
	"outcome" text NOT NULL,
	"response_id" uuid,
	"rationale" text NOT NULL,
	"decided_by" text NOT NULL,
	"decided_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "declarations" ADD CONSTRAINT "declarations_procurement_id_procurements_id_fk" FOREIGN KEY ("procurement_id") REFERENCES "public"."procurements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evaluations" ADD CONSTRAINT "evaluations_response_id_responses_id_fk" FOREIGN KEY ("response_id") REFERENCES "public"."responses"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gateway_decisions" ADD CONSTRAINT "gateway_decisions_response_id_responses_id_fk" FOREIGN KEY ("response_id") REFERENCES "public"."responses"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mark_submissions" ADD CONSTRAINT "mark_submissions_response_id_responses_id_fk" FOREIGN KEY ("response_id") REFERENCES "public"."responses"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "marks" ADD CONSTRAINT "marks_response_id_responses_id_fk" FOREIGN KEY ("response_id") REFERENCES "public"."responses"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "moderations" ADD CONSTRAINT "moderations_response_id_responses_id_fk" FOREIGN KEY ("response_id") REFERENCES "public"."responses"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "procurement_decisions" ADD CONSTRAINT "procurement_decisions_procurement_id_procurements_id_fk" FOREIGN KEY ("procurement_id") REFERENCES "public"."procurements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "evaluations_procurement" ON "evaluations" USING btree ("organisation_id","procurement_id");