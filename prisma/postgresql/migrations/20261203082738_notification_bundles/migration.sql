-- AlterTable
ALTER TABLE "Delivery" ADD COLUMN     "bundleKey" TEXT;

-- CreateTable
CREATE TABLE "NotificationBundle" (
    "key" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "dutyCode" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'open',
    "closesAt" TIMESTAMP(3) NOT NULL,
    "members" INTEGER NOT NULL DEFAULT 0,
    "messageId" TEXT NOT NULL,
    "leaseOwner" TEXT,
    "leaseUntil" TIMESTAMP(3),
    "sentAt" TIMESTAMP(3),
    "lastError" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "NotificationBundle_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE INDEX "NotificationBundle_status_closesAt_idx" ON "NotificationBundle"("status", "closesAt");

-- CreateIndex
CREATE INDEX "Delivery_bundleKey_idx" ON "Delivery"("bundleKey");

-- AddForeignKey
ALTER TABLE "Delivery" ADD CONSTRAINT "Delivery_bundleKey_fkey" FOREIGN KEY ("bundleKey") REFERENCES "NotificationBundle"("key") ON DELETE SET NULL ON UPDATE CASCADE;

