CREATE TABLE "reports" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organisation_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"subject_id" uuid NOT NULL,
	"content_hash" text NOT NULL,
	"evaluation_hash" text NOT NULL,
	"sha256" text NOT NULL,
	"filename" text NOT NULL,
	"size_bytes" integer NOT NULL,
	"pages" integer NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "reports_content" UNIQUE("organisation_id","kind","subject_id","content_hash")
);
--> statement-breakpoint
CREATE INDEX "reports_subject" ON "reports" USING btree ("organisation_id","subject_id","created_at");