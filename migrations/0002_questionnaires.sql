CREATE TABLE "questionnaires" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organisation_id" uuid,
	"key" text NOT NULL,
	"version" text NOT NULL,
	"title" text NOT NULL,
	"status" text NOT NULL,
	"definition" jsonb NOT NULL,
	"definition_hash" text NOT NULL,
	"created_by" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"published_at" timestamp (3) with time zone,
	"archived_at" timestamp (3) with time zone,
	CONSTRAINT "questionnaires_organisation_key_version" UNIQUE NULLS NOT DISTINCT("organisation_id","key","version")
);
--> statement-breakpoint
CREATE INDEX "questionnaires_list" ON "questionnaires" USING btree ("organisation_id","created_at","id");--> statement-breakpoint
CREATE INDEX "questionnaires_built_in" ON "questionnaires" USING btree ("created_at","id") WHERE organisation_id is null;