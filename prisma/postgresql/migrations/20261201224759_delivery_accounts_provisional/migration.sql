-- AlterTable
ALTER TABLE "Cycle" ADD COLUMN     "provisionalYear" INTEGER;

-- AlterTable
ALTER TABLE "Notification" ADD COLUMN     "leaseAttempt" INTEGER,
ADD COLUMN     "leaseOwner" TEXT,
ADD COLUMN     "leaseUntil" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "Delivery" (
    "id" TEXT NOT NULL,
    "notificationKey" TEXT NOT NULL,
    "workflowId" TEXT NOT NULL,
    "channel" TEXT NOT NULL DEFAULT 'email',
    "address" TEXT NOT NULL,
    "name" TEXT,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "smtpResponse" TEXT,
    "smtpCode" INTEGER,
    "sentAt" TIMESTAMP(3),
    "failedAt" TIMESTAMP(3),
    "leaseOwner" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Delivery_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Delivery_workflowId_idx" ON "Delivery"("workflowId");

-- CreateIndex
CREATE UNIQUE INDEX "Delivery_notificationKey_channel_address_key" ON "Delivery"("notificationKey", "channel", "address");

-- CreateIndex
CREATE INDEX "Cycle_provisionalYear_idx" ON "Cycle"("provisionalYear");

-- AddForeignKey
ALTER TABLE "Delivery" ADD CONSTRAINT "Delivery_notificationKey_fkey" FOREIGN KEY ("notificationKey") REFERENCES "Notification"("key") ON DELETE RESTRICT ON UPDATE CASCADE;

