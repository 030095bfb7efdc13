-- CreateTable
CREATE TABLE "Occurrence" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "workflowId" TEXT NOT NULL,
    "unitId" TEXT NOT NULL,
    "occurredOn" TEXT NOT NULL,
    "amount" REAL NOT NULL,
    "subject" TEXT NOT NULL DEFAULT '',
    "reference" TEXT NOT NULL,
    "evidenceUrl" TEXT,
    "note" TEXT,
    "recordedBy" TEXT NOT NULL,
    "recordedAt" DATETIME NOT NULL,
    CONSTRAINT "Occurrence_workflowId_fkey" FOREIGN KEY ("workflowId") REFERENCES "Cycle" ("workflowId") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "Occurrence_workflowId_idx" ON "Occurrence"("workflowId");

-- CreateIndex
CREATE UNIQUE INDEX "Occurrence_workflowId_occurredOn_subject_reference_key" ON "Occurrence"("workflowId", "occurredOn", "subject", "reference");

