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
CREATE INDEX "tracking_events_tracking_number_idx" ON "tracking_events" USING btree ("tracking_number");--> statement-breakpoint
CREATE INDEX "tracking_events_order_number_idx" ON "tracking_events" USING btree ("order_number");--> statement-breakpoint
CREATE INDEX "tracking_events_received_at_idx" ON "tracking_events" USING btree ("received_at");--> statement-breakpoint
CREATE INDEX "shipments_order_number_idx" ON "shipments" USING btree ("order_number");--> statement-breakpoint
CREATE INDEX "shipments_status_updated_idx" ON "shipments" USING btree ("tracking_status","last_updated_at");