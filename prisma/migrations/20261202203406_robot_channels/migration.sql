-- AlterTable
ALTER TABLE "Delivery" ADD COLUMN "notBefore" DATETIME;

-- CreateTable
CREATE TABLE "RobotChannel" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "owner" TEXT NOT NULL,
    "unitId" TEXT NOT NULL,
    "contactId" TEXT,
    "kind" TEXT NOT NULL,
    "robotId" TEXT NOT NULL,
    "token" TEXT NOT NULL,
    "secret" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "RobotSend" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "robotId" TEXT NOT NULL,
    "deliveryId" TEXT NOT NULL,
    "claimedAt" DATETIME NOT NULL,
    "doneAt" DATETIME
);

-- CreateTable
CREATE TABLE "RobotQueue" (
    "deliveryId" TEXT NOT NULL PRIMARY KEY,
    "robotId" TEXT NOT NULL,
    "queuedAt" DATETIME NOT NULL,
    "expiresAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "RobotThrottle" (
    "robotId" TEXT NOT NULL PRIMARY KEY,
    "blockedUntil" DATETIME NOT NULL,
    "reason" TEXT NOT NULL
);

-- CreateIndex
CREATE INDEX "RobotChannel_unitId_idx" ON "RobotChannel"("unitId");

-- CreateIndex
CREATE INDEX "RobotChannel_robotId_idx" ON "RobotChannel"("robotId");

-- CreateIndex
CREATE UNIQUE INDEX "RobotChannel_owner_kind_key" ON "RobotChannel"("owner", "kind");

-- CreateIndex
CREATE INDEX "RobotSend_robotId_claimedAt_idx" ON "RobotSend"("robotId", "claimedAt");

-- CreateIndex
CREATE INDEX "RobotQueue_robotId_queuedAt_idx" ON "RobotQueue"("robotId", "queuedAt");

