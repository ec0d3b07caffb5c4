CREATE TABLE "pending_answers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organisation_id" uuid NOT NULL,
	"invitation_id" uuid NOT NULL,
	"team_member_id" uuid,
	"kind" text NOT NULL,
	"sealed" text NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	"expires_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "team_members" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organisation_id" uuid NOT NULL,
	"invitation_id" uuid NOT NULL,
	"name" text NOT NULL,
	"email" text NOT NULL,
	"sections" jsonb NOT NULL,
	"token_hash" text NOT NULL,
	"display_prefix" text NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	"revoked_at" timestamp (3) with time zone,
	CONSTRAINT "team_members_token_hash" UNIQUE("token_hash")
);
--> statement-breakpoint
ALTER TABLE "supplier_sessions" ADD COLUMN "team_member_id" uuid;--> statement-breakpoint
ALTER TABLE "supplier_sessions" ADD COLUMN "absolute_expires_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "pending_answers" ADD CONSTRAINT "pending_answers_invitation_id_invitations_id_fk" FOREIGN KEY ("invitation_id") REFERENCES "public"."invitations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pending_answers" ADD CONSTRAINT "pending_answers_team_member_id_team_members_id_fk" FOREIGN KEY ("team_member_id") REFERENCES "public"."team_members"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "team_members" ADD CONSTRAINT "team_members_invitation_id_invitations_id_fk" FOREIGN KEY ("invitation_id") REFERENCES "public"."invitations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "pending_answers_invitation" ON "pending_answers" USING btree ("invitation_id","created_at");--> statement-breakpoint
CREATE INDEX "team_members_invitation" ON "team_members" USING btree ("invitation_id","created_at");--> statement-breakpoint
ALTER TABLE "supplier_sessions" ADD CONSTRAINT "supplier_sessions_team_member_id_team_members_id_fk" FOREIGN KEY ("team_member_id") REFERENCES "public"."team_members"("id") ON DELETE no action ON UPDATE no action;