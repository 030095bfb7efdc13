-- CreateTable
CREATE TABLE "Review" (
    "workflowId" TEXT NOT NULL PRIMARY KEY,
    "kind" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "basis" TEXT NOT NULL,
    "scope" TEXT NOT NULL,
    "unitIds" TEXT NOT NULL,
    "reviewingUnitId" TEXT NOT NULL,
    "dueAt" DATETIME NOT NULL,
    "dutyCode" TEXT,
    "state" TEXT NOT NULL,
    "startedBy" TEXT NOT NULL,
    "summary" TEXT,
    "closedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "ReviewFinding" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "reviewId" TEXT NOT NULL,
    "unitId" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "recordedBy" TEXT NOT NULL,
    "at" DATETIME NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "RectificationItem" (
    "workflowId" TEXT NOT NULL PRIMARY KEY,
    "reviewId" TEXT NOT NULL,
    "n" INTEGER NOT NULL,
    "unitId" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "dueAt" DATETIME NOT NULL,
    "reportEveryMs" INTEGER,
    "state" TEXT NOT NULL,
    "addedBy" TEXT NOT NULL,
    "acceptedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "Review_kind_idx" ON "Review"("kind");

-- CreateIndex
CREATE INDEX "ReviewFinding_reviewId_idx" ON "ReviewFinding"("reviewId");

-- CreateIndex
CREATE UNIQUE INDEX "ReviewFinding_reviewId_unitId_at_key" ON "ReviewFinding"("reviewId", "unitId", "at");

-- CreateIndex
CREATE INDEX "RectificationItem_unitId_idx" ON "RectificationItem"("unitId");

-- CreateIndex
CREATE UNIQUE INDEX "RectificationItem_reviewId_n_key" ON "RectificationItem"("reviewId", "n");

