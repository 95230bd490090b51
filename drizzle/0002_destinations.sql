DROP INDEX "deliveries_pending_idx";--> statement-breakpoint
ALTER TABLE "deliveries" ADD COLUMN "destination" text DEFAULT 'default' NOT NULL;--> statement-breakpoint
CREATE INDEX "deliveries_failed_idx" ON "deliveries" USING btree ("destination","seq") WHERE "deliveries"."status" = 'failed';--> statement-breakpoint
CREATE INDEX "deliveries_pending_idx" ON "deliveries" USING btree ("tracking_number","destination","seq") WHERE "deliveries"."status" = 'pending';