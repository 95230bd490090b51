import type { ShipmentUpdate } from '../source-adapter';

/** A delivered parcel, as the worker would hand it to an adapter. */
export const deliveredUpdate: ShipmentUpdate = {
  deliveryId: 'dlv_3f2a9c1e7b',
  orderNumber: 'SO-10042',
  sourceOrderId: 'erp-778812',
  trackingNumber: 'TRK123456789NZ',
  carrierName: 'NZ Post',
  carrierService: 'CPOLTPA5',
  trackingStatus: 'Delivered',
  shipmentDate: '2026-03-02T01:15:00.000Z',
  lastUpdatedDate: '2026-03-04T09:35:00.000Z',
  orderReference: 'WEB-5531',
};

/** A freshly printed label: no source order linked yet, nothing known about the carrier. */
export const sparseUpdate: ShipmentUpdate = {
  deliveryId: 'dlv_sparse',
  orderNumber: 'SO-10043',
  sourceOrderId: null,
  trackingNumber: 'TRK000000001NZ',
  carrierName: null,
  carrierService: null,
  trackingStatus: 'Printed',
  shipmentDate: null,
  lastUpdatedDate: '2026-03-04T10:00:00.000Z',
  orderReference: null,
};
