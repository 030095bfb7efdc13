-- CreateTable
CREATE TABLE "Incident" (
    "workflowId" TEXT NOT NULL PRIMARY KEY,
    "unitId" TEXT NOT NULL,
    "level" TEXT NOT NULL,
    "statutory" BOOLEAN NOT NULL,
    "title" TEXT NOT NULL,
    "place" TEXT,
    "contacts" TEXT,
    "occurredAt" DATETIME NOT NULL,
    "awareAt" DATETIME,
    "reportedAt" DATETIME NOT NULL,
    "reportedBy" TEXT NOT NULL,
    "releaseDueAt" DATETIME,
    "pressDueAt" DATETIME,
    "firstReleaseAt" DATETIME,
    "pressAt" DATETIME,
    "releases" TEXT NOT NULL DEFAULT '[]',
    "press" TEXT NOT NULL DEFAULT '[]',
    "revision" INTEGER NOT NULL DEFAULT 0,
    "state" TEXT NOT NULL,
    "closedAt" DATETIME,
    "closeReason" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Incident_workflowId_fkey" FOREIGN KEY ("workflowId") REFERENCES "Cycle" ("workflowId") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "Incident_unitId_idx" ON "Incident"("unitId");

-- CreateIndex
CREATE INDEX "Incident_occurredAt_idx" ON "Incident"("occurredAt");

