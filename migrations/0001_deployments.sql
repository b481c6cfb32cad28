CREATE TABLE "api_keys" (
	"id" text PRIMARY KEY NOT NULL,
	"stage" text NOT NULL,
	"key_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "deployments" (
	"id" text PRIMARY KEY NOT NULL,
	"stage" text NOT NULL,
	"run_id" text NOT NULL,
	"model_sha256" text NOT NULL,
	"settings" jsonb NOT NULL,
	"calibration" jsonb NOT NULL,
	"smoke_check" jsonb NOT NULL,
	"status" text NOT NULL,
	"previous_deployment_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "deployments" ADD CONSTRAINT "deployments_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "api_keys_key_hash_idx" ON "api_keys" USING btree ("key_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "deployments_one_active_per_stage_idx" ON "deployments" USING btree ("stage") WHERE "deployments"."status" = 'active';--> statement-breakpoint
CREATE INDEX "deployments_stage_created_idx" ON "deployments" USING btree ("stage","created_at");