CREATE TABLE "evaluation_finalisations" (
	"response_id" uuid PRIMARY KEY NOT NULL,
	"organisation_id" uuid NOT NULL,
	"procurement_id" uuid NOT NULL,
	"finalised_by" uuid NOT NULL,
	"finalised_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "integrity_flag_actions" (
	"response_id" uuid NOT NULL,
	"flag_id" text NOT NULL,
	"organisation_id" uuid NOT NULL,
	"action" text NOT NULL,
	"recorded_by" uuid NOT NULL,
	"recorded_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "integrity_flag_actions_response_id_flag_id_pk" PRIMARY KEY("response_id","flag_id")
);
--> statement-breakpoint
ALTER TABLE "clarifications" ADD COLUMN "amendment_status" text;--> statement-breakpoint
ALTER TABLE "clarifications" ADD COLUMN "amendment_reason" text;--> statement-breakpoint
ALTER TABLE "clarifications" ADD COLUMN "amendment_decided_by" text;--> statement-breakpoint
ALTER TABLE "clarifications" ADD COLUMN "amendment_decided_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "gateway_decisions" ADD COLUMN "owner" text;--> statement-breakpoint
ALTER TABLE "evaluation_finalisations" ADD CONSTRAINT "evaluation_finalisations_response_id_responses_id_fk" FOREIGN KEY ("response_id") REFERENCES "public"."responses"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "integrity_flag_actions" ADD CONSTRAINT "integrity_flag_actions_response_id_responses_id_fk" FOREIGN KEY ("response_id") REFERENCES "public"."responses"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "evaluation_finalisations_procurement" ON "evaluation_finalisations" USING btree ("organisation_id","procurement_id");--> statement-breakpoint
-- Until now an amended answer counted as soon as the supplier replied. Those amendments are recorded
-- as accepted by this migration, so no stored evaluation changes silently; new ones wait for the moderator.
UPDATE "clarifications" SET "amendment_status" = 'accepted', "amendment_reason" = 'Counted on reply, before amendments needed the moderator''s decision (migration 0021).', "amendment_decided_by" = 'migration:0021', "amendment_decided_at" = "replied_at" WHERE "amended_answer" IS NOT NULL AND "amendment_status" IS NULL;
