CREATE TABLE "clarifications" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organisation_id" uuid NOT NULL,
	"response_id" uuid NOT NULL,
	"question_key" text NOT NULL,
	"question" text NOT NULL,
	"allow_amend" boolean NOT NULL,
	"reply_by" timestamp (3) with time zone,
	"original_answer" jsonb,
	"asked_by" text NOT NULL,
	"asked_at" timestamp (3) with time zone NOT NULL,
	"reply" text,
	"amended_answer" jsonb,
	"replied_at" timestamp (3) with time zone
);
--> statement-breakpoint
ALTER TABLE "clarifications" ADD CONSTRAINT "clarifications_response_id_responses_id_fk" FOREIGN KEY ("response_id") REFERENCES "public"."responses"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "clarifications_response" ON "clarifications" USING btree ("response_id","asked_at","id");