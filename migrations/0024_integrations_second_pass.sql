CREATE TABLE "ocds_releases" (
	"organisation_id" uuid NOT NULL,
	"procurement_id" uuid NOT NULL,
	"sequence" integer NOT NULL,
	"release_id" text NOT NULL,
	"release" jsonb NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "ocds_releases_procurement_id_sequence_pk" PRIMARY KEY("procurement_id","sequence"),
	CONSTRAINT "ocds_releases_release_id" UNIQUE("procurement_id","release_id")
);
--> statement-breakpoint
ALTER TABLE "webhook_deliveries" DROP CONSTRAINT "webhook_deliveries_event_endpoint";--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD COLUMN "redelivery_of" uuid;--> statement-breakpoint
ALTER TABLE "procurements" ADD COLUMN "ocds_disclosure" text DEFAULT 'scores' NOT NULL;--> statement-breakpoint
CREATE INDEX "ocds_releases_organisation" ON "ocds_releases" USING btree ("organisation_id","procurement_id");--> statement-breakpoint
CREATE UNIQUE INDEX "webhook_deliveries_event_endpoint" ON "webhook_deliveries" USING btree ("event_id","endpoint_id") WHERE redelivery_of is null;