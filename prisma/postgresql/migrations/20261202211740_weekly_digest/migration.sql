-- CreateTable
CREATE TABLE "DigestMail" (
    "key" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "weekOf" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "subject" TEXT NOT NULL,
    "messageId" TEXT NOT NULL,
    "overdue" INTEGER NOT NULL,
    "upcoming" INTEGER NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "leaseUntil" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sentAt" TIMESTAMP(3),

    CONSTRAINT "DigestMail_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE INDEX "DigestMail_weekOf_idx" ON "DigestMail"("weekOf");

