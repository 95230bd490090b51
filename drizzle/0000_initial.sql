CREATE TABLE "tracking_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"event_id" text NOT NULL,
	"source" text NOT NULL,
	"order_number" text NOT NULL,
	"tracking_number" text NOT NULL,
	"tracking_status" text NOT NULL,
	"status_known" boolean NOT NULL,
	"last_updated_date" text NOT NULL,
	"last_updated_at" timestamp with time zone NOT NULL,
	"shipment_date" text,
	"carrier_name" text,
	"carrier_service" text,
	"order_reference" text,
	"payload" jsonb NOT NULL,
	"result" text NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"stored_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tracking_events_event_id_unique" UNIQUE("event_id")
);
--> statement-breakpoint
CREATE TABLE "shipments" (
	"tracking_number" text PRIMARY KEY NOT NULL,
	"order_number" text NOT NULL,
	"order_reference" text,
	"carrier_name" text,
	"carrier_service" text,
	"shipment_date" text,
	"tracking_status" text NOT NULL,
	"last_updated_date" text NOT NULL,
	"last_updated_at" timestamp with time zone NOT NULL,
	"last_event_id" text NOT NULL,
	"source_order_id" text,
	"unmatched_since" timestamp with time zone,
	"last_polled_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "parked_payloads" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"parked_id" text NOT NULL,
	"reason" text NOT NULL,
	"body" text NOT NULL,
	"issues" jsonb NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"stored_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "parked_payloads_parked_id_unique" UNIQUE("parked_id")
);
--> statement-breakpoint
CREATE TABLE "deliveries" (
	"delivery_id" text PRIMARY KEY NOT NULL,
	"seq" bigserial NOT NULL,
	"tracking_number" text NOT NULL,
	"event_id" text,
	"reason" text NOT NULL,
	"state" jsonb NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"last_http_status" integer,
	"received_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	CONSTRAINT "deliveries_seq_unique" UNIQUE("seq")
);
--> statement-breakpoint
CREATE TABLE "delivery_attempts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"delivery_id" text NOT NULL,
	"tracking_number" text NOT NULL,
	"tracking_status" text NOT NULL,
	"adapter" text NOT NULL,
	"attempt" integer NOT NULL,
	"outcome" text NOT NULL,
	"http_status" integer,
	"error" text,
	"retry_after_ms" bigint,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "reconcile_runs" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"trigger" text NOT NULL,
	"status" text DEFAULT 'running' NOT NULL,
	"window_start" timestamp with time zone NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"requests" integer DEFAULT 0 NOT NULL,
	"pages" integer DEFAULT 0 NOT NULL,
	"events_found" integer DEFAULT 0 NOT NULL,
	"shipments_polled" integer DEFAULT 0 NOT NULL,
	"unmatched_retried" integer DEFAULT 0 NOT NULL,
	"errors" jsonb DEFAULT '[]'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sync_cursors" (
	"name" text PRIMARY KEY NOT NULL,
	"position" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "delivery_attempts" ADD CONSTRAINT "delivery_attempts_delivery_id_deliveries_delivery_id_fk" FOREIGN KEY ("delivery_id") REFERENCES "public"."deliveries"("delivery_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "tracking_events_tracking_number_idx" ON "tracking_events" USING btree ("tracking_number");--> statement-breakpoint
CREATE INDEX "tracking_events_order_number_idx" ON "tracking_events" USING btree ("order_number");--> statement-breakpoint
CREATE INDEX "tracking_events_received_at_idx" ON "tracking_events" USING btree ("received_at");--> statement-breakpoint
CREATE INDEX "shipments_order_number_idx" ON "shipments" USING btree ("order_number");--> statement-breakpoint
CREATE INDEX "shipments_status_updated_idx" ON "shipments" USING btree ("tracking_status","last_updated_at");--> statement-breakpoint
CREATE INDEX "shipments_unmatched_idx" ON "shipments" USING btree ("unmatched_since") WHERE "shipments"."unmatched_since" is not null;--> statement-breakpoint
CREATE INDEX "deliveries_pending_idx" ON "deliveries" USING btree ("tracking_number","seq") WHERE "deliveries"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "deliveries_tracking_number_idx" ON "deliveries" USING btree ("tracking_number");--> statement-breakpoint
CREATE INDEX "delivery_attempts_delivery_id_idx" ON "delivery_attempts" USING btree ("delivery_id");