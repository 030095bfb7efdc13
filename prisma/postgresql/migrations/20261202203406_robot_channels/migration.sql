-- AlterTable
ALTER TABLE "Delivery" ADD COLUMN     "notBefore" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "RobotChannel" (
    "id" TEXT NOT NULL,
    "owner" TEXT NOT NULL,
    "unitId" TEXT NOT NULL,
    "contactId" TEXT,
    "kind" TEXT NOT NULL,
    "robotId" TEXT NOT NULL,
    "token" TEXT NOT NULL,
    "secret" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "RobotChannel_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RobotSend" (
    "id" TEXT NOT NULL,
    "robotId" TEXT NOT NULL,
    "deliveryId" TEXT NOT NULL,
    "claimedAt" TIMESTAMP(3) NOT NULL,
    "doneAt" TIMESTAMP(3),

    CONSTRAINT "RobotSend_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RobotQueue" (
    "deliveryId" TEXT NOT NULL,
    "robotId" TEXT NOT NULL,
    "queuedAt" TIMESTAMP(3) NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "RobotQueue_pkey" PRIMARY KEY ("deliveryId")
);

-- CreateTable
CREATE TABLE "RobotThrottle" (
    "robotId" TEXT NOT NULL,
    "blockedUntil" TIMESTAMP(3) NOT NULL,
    "reason" TEXT NOT NULL,

    CONSTRAINT "RobotThrottle_pkey" PRIMARY KEY ("robotId")
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

