CREATE TABLE "answer_versions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organisation_id" uuid NOT NULL,
	"response_id" uuid NOT NULL,
	"question_key" text NOT NULL,
	"version" integer NOT NULL,
	"value" jsonb,
	"comment" text,
	"confidential" boolean NOT NULL,
	"confidential_reason" text,
	"change" text NOT NULL,
	"changed_at" timestamp (3) with time zone NOT NULL,
	"changed_by" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "answers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organisation_id" uuid NOT NULL,
	"response_id" uuid NOT NULL,
	"question_key" text NOT NULL,
	"value" jsonb,
	"comment" text,
	"confidential" boolean DEFAULT false NOT NULL,
	"confidential_reason" text,
	"version" integer DEFAULT 1 NOT NULL,
	"updated_at" timestamp (3) with time zone NOT NULL,
	"updated_by" text NOT NULL,
	CONSTRAINT "answers_response_question" UNIQUE("response_id","question_key")
);
--> statement-breakpoint
ALTER TABLE "answer_versions" ADD CONSTRAINT "answer_versions_response_id_responses_id_fk" FOREIGN KEY ("response_id") REFERENCES "public"."responses"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "answers" ADD CONSTRAINT "answers_response_id_responses_id_fk" FOREIGN KEY ("response_id") REFERENCES "public"."responses"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "answer_versions_response_question" ON "answer_versions" USING btree ("response_id","question_key","version");