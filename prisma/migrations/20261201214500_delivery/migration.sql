-- AlterTable
ALTER TABLE "Notification" ADD COLUMN "leaseAttempt" INTEGER;
ALTER TABLE "Notification" ADD COLUMN "leaseOwner" TEXT;
ALTER TABLE "Notification" ADD COLUMN "leaseUntil" DATETIME;

-- CreateTable
CREATE TABLE "Delivery" (
    "id" TEXT NOT NULL PRIMARY KEY,
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
    "sentAt" DATETIME,
    "failedAt" DATETIME,
    "leaseOwner" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Delivery_notificationKey_fkey" FOREIGN KEY ("notificationKey") REFERENCES "Notification" ("key") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "Delivery_workflowId_idx" ON "Delivery"("workflowId");

-- CreateIndex
CREATE UNIQUE INDEX "Delivery_notificationKey_channel_address_key" ON "Delivery"("notificationKey", "channel", "address");

