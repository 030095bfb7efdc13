-- CreateTable
CREATE TABLE "NotificationBundle" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "channel" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "dutyCode" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'open',
    "closesAt" DATETIME NOT NULL,
    "members" INTEGER NOT NULL DEFAULT 0,
    "messageId" TEXT NOT NULL,
    "leaseOwner" TEXT,
    "leaseUntil" DATETIME,
    "sentAt" DATETIME,
    "lastError" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Delivery" (
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
    "notBefore" DATETIME,
    "sentAt" DATETIME,
    "failedAt" DATETIME,
    "leaseOwner" TEXT,
    "bundleKey" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Delivery_notificationKey_fkey" FOREIGN KEY ("notificationKey") REFERENCES "Notification" ("key") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Delivery_bundleKey_fkey" FOREIGN KEY ("bundleKey") REFERENCES "NotificationBundle" ("key") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Delivery" ("address", "attempts", "channel", "createdAt", "failedAt", "id", "lastError", "leaseOwner", "name", "notBefore", "notificationKey", "sentAt", "smtpCode", "smtpResponse", "status", "updatedAt", "workflowId") SELECT "address", "attempts", "channel", "createdAt", "failedAt", "id", "lastError", "leaseOwner", "name", "notBefore", "notificationKey", "sentAt", "smtpCode", "smtpResponse", "status", "updatedAt", "workflowId" FROM "Delivery";
DROP TABLE "Delivery";
ALTER TABLE "new_Delivery" RENAME TO "Delivery";
CREATE INDEX "Delivery_workflowId_idx" ON "Delivery"("workflowId");
CREATE INDEX "Delivery_bundleKey_idx" ON "Delivery"("bundleKey");
CREATE UNIQUE INDEX "Delivery_notificationKey_channel_address_key" ON "Delivery"("notificationKey", "channel", "address");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "NotificationBundle_status_closesAt_idx" ON "NotificationBundle"("status", "closesAt");

