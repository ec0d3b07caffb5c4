CREATE TABLE "condition_states" (
	"response_id" uuid NOT NULL,
	"condition_id" text NOT NULL,
	"organisation_id" uuid NOT NULL,
	"owner" text,
	"due_date" text,
	"status" text NOT NULL,
	"reason" text,
	"updated_by" uuid NOT NULL,
	"updated_at" timestamp (3) with time zone NOT NULL,
	"version" integer NOT NULL,
	CONSTRAINT "condition_states_response_id_condition_id_pk" PRIMARY KEY("response_id","condition_id")
);
--> statement-breakpoint
ALTER TABLE "condition_states" ADD CONSTRAINT "condition_states_response_id_responses_id_fk" FOREIGN KEY ("response_id") REFERENCES "public"."responses"("id") ON DELETE no action ON UPDATE no action;